/* The JSON parser and writer of the native-echo sample (see json.c). */
#include "../native-echo/json.h"
