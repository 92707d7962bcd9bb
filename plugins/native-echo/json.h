/* A small JSON DOM for the native echo plugin: parse, inspect, and re-serialise keeping each
 * number's original text and each object's key order. */
#ifndef ECHO_JSON_H
#define ECHO_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jkind;

typedef struct jvalue {
  jkind kind;
  int boolean;
  double number;
  char *text;        /* J_NUMBER: the literal as written; J_STRING: decoded UTF-8 (NUL-terminated) */
  size_t len;        /* J_STRING: byte length */
  int integer;       /* J_NUMBER: written without fraction or exponent */
  size_t count;      /* J_ARRAY / J_OBJECT: number of items */
  char **keys;       /* J_OBJECT */
  struct jvalue **items;
} jvalue;

/* Growable byte buffer. */
typedef struct {
  char *data;
  size_t len, cap;
} jbuf;

void jbuf_put(jbuf *b, const char *s, size_t n);
void jbuf_puts(jbuf *b, const char *s);
void jbuf_quote(jbuf *b, const char *s, size_t n);
void jbuf_int(jbuf *b, long long v);

/* Hands the buffer to the host as a plugin function's output (empty when nothing was written)
 * and returns `code`: the tail of every plugd_* function. */
int32_t jbuf_give(jbuf *b, char **output, size_t *output_len, int32_t code);
/* `text` as a function's output, returning PLUGD_OK. */
int32_t text_out(const char *text, char **output, size_t *output_len);
/* `message` as a raw error (PLUGD_ERR_RAW): the host shows it as the plugin's error. */
int32_t fail_raw(const char *message, char **output, size_t *output_len);

/* Parses `len` bytes; NULL with *error set (a static message with the byte offset) on failure. */
jvalue *json_parse(const char *text, size_t len, char *error, size_t error_size);
void json_free(jvalue *v);
void json_write(jbuf *b, const jvalue *v);
jvalue *json_get(const jvalue *object, const char *key);
const char *json_kind_name(const jvalue *v);

#endif
