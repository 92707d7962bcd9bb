/* The JSON parser and writer of the native-echo sample, shared rather than copied. */
#include "../native-echo/json.c"
