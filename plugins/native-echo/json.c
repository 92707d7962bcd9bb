#include "json.h"

#include "plugd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jbuf_put(jbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    b->data = realloc(b->data, cap);
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

void jbuf_puts(jbuf *b, const char *s) { jbuf_put(b, s, strlen(s)); }

void jbuf_int(jbuf *b, long long v) {
  char tmp[32];
  jbuf_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%lld", v));
}

void jbuf_quote(jbuf *b, const char *s, size_t n) {
  jbuf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': jbuf_put(b, "\\\"", 2); break;
      case '\\': jbuf_put(b, "\\\\", 2); break;
      case '\n': jbuf_put(b, "\\n", 2); break;
      case '\r': jbuf_put(b, "\\r", 2); break;
      case '\t': jbuf_put(b, "\\t", 2); break;
      case '\b': jbuf_put(b, "\\b", 2); break;
      case '\f': jbuf_put(b, "\\f", 2); break;
      default:
        if (c < 0x20) {
          char tmp[8];
          jbuf_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", c));
        } else {
          jbuf_put(b, (const char *)&s[i], 1);
        }
    }
  }
  jbuf_put(b, "\"", 1);
}

typedef struct {
  const char *s;
  size_t len, pos;
  char *error;
  size_t error_size;
  int failed;
} parser;

static void fail(parser *p, const char *what) {
  if (!p->failed) snprintf(p->error, p->error_size, "JSON parse error at offset %zu: %s", p->pos, what);
  p->failed = 1;
}

static void ws(parser *p) {
  while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) p->pos++;
}

static jvalue *make(jkind kind) {
  jvalue *v = calloc(1, sizeof *v);
  v->kind = kind;
  return v;
}

static void push(jvalue *v, char *key, jvalue *item) {
  v->items = realloc(v->items, (v->count + 1) * sizeof *v->items);
  if (v->kind == J_OBJECT) v->keys = realloc(v->keys, (v->count + 1) * sizeof *v->keys);
  v->items[v->count] = item;
  if (v->kind == J_OBJECT) v->keys[v->count] = key;
  v->count++;
}

static int hex4(parser *p, unsigned *out) {
  if (p->pos + 4 > p->len) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p->s[p->pos + i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  p->pos += 4;
  *out = v;
  return 1;
}

static void utf8(jbuf *b, unsigned cp) {
  char t[4];
  if (cp < 0x80) { t[0] = (char)cp; jbuf_put(b, t, 1); }
  else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); jbuf_put(b, t, 2); }
  else if (cp < 0x10000) { t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[2] = (char)(0x80 | (cp & 0x3F)); jbuf_put(b, t, 3); }
  else { t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); jbuf_put(b, t, 4); }
}

static char *string(parser *p, size_t *out_len) {
  jbuf b = {0};
  jbuf_put(&b, "", 0);
  p->pos++; /* opening quote */
  while (p->pos < p->len) {
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c == '"') {
      p->pos++;
      *out_len = b.len;
      return b.data;
    }
    if (c < 0x20) { fail(p, "control character in string"); break; }
    if (c != '\\') { jbuf_put(&b, &p->s[p->pos++], 1); continue; }
    p->pos++;
    if (p->pos >= p->len) break;
    char e = p->s[p->pos++];
    unsigned cp;
    switch (e) {
      case '"': jbuf_put(&b, "\"", 1); break;
      case '\\': jbuf_put(&b, "\\", 1); break;
      case '/': jbuf_put(&b, "/", 1); break;
      case 'b': jbuf_put(&b, "\b", 1); break;
      case 'f': jbuf_put(&b, "\f", 1); break;
      case 'n': jbuf_put(&b, "\n", 1); break;
      case 'r': jbuf_put(&b, "\r", 1); break;
      case 't': jbuf_put(&b, "\t", 1); break;
      case 'u':
        if (!hex4(p, &cp)) { fail(p, "invalid \\u escape"); goto out; }
        if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= p->len && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
          unsigned lo;
          size_t save = p->pos;
          p->pos += 2;
          if (hex4(p, &lo) && lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else p->pos = save;
        }
        utf8(&b, cp);
        break;
      default: fail(p, "invalid escape"); goto out;
    }
  }
  fail(p, "unterminated string");
out:
  free(b.data);
  return NULL;
}

static jvalue *value(parser *p, int depth);

static jvalue *number(parser *p) {
  size_t start = p->pos;
  int integer = 1;
  if (p->s[p->pos] == '-') p->pos++;
  if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') { fail(p, "invalid number"); return NULL; }
  while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
  if (p->pos < p->len && p->s[p->pos] == '.') {
    integer = 0;
    p->pos++;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
  }
  if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
    integer = 0;
    p->pos++;
    if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
  }
  jvalue *v = make(J_NUMBER);
  v->text = strndup(p->s + start, p->pos - start);
  v->number = strtod(v->text, NULL);
  v->integer = integer;
  return v;
}

static int literal(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->pos + n <= p->len && memcmp(p->s + p->pos, word, n) == 0) {
    p->pos += n;
    return 1;
  }
  return 0;
}

static jvalue *value(parser *p, int depth) {
  if (depth > 256) { fail(p, "nesting too deep"); return NULL; }
  ws(p);
  if (p->pos >= p->len) { fail(p, "unexpected end of input"); return NULL; }
  char c = p->s[p->pos];
  if (c == '{' || c == '[') {
    jvalue *v = make(c == '{' ? J_OBJECT : J_ARRAY);
    char close = c == '{' ? '}' : ']';
    p->pos++;
    ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return v; }
    for (;;) {
      char *key = NULL;
      if (v->kind == J_OBJECT) {
        ws(p);
        size_t klen;
        if (p->pos >= p->len || p->s[p->pos] != '"') { fail(p, "expected a string key"); break; }
        key = string(p, &klen);
        if (!key) break;
        ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') { free(key); fail(p, "expected ':'"); break; }
        p->pos++;
      }
      jvalue *item = value(p, depth + 1);
      if (!item) { free(key); break; }
      push(v, key, item);
      ws(p);
      if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
      if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return v; }
      fail(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
      break;
    }
    json_free(v);
    return NULL;
  }
  if (c == '"') {
    size_t len;
    char *s = string(p, &len);
    if (!s) return NULL;
    jvalue *v = make(J_STRING);
    v->text = s;
    v->len = len;
    return v;
  }
  if (c == '-' || (c >= '0' && c <= '9')) return number(p);
  if (literal(p, "true")) { jvalue *v = make(J_BOOL); v->boolean = 1; return v; }
  if (literal(p, "false")) return make(J_BOOL);
  if (literal(p, "null")) return make(J_NULL);
  fail(p, "unexpected character");
  return NULL;
}

jvalue *json_parse(const char *text, size_t len, char *error, size_t error_size) {
  parser p = {text, len, 0, error, error_size, 0};
  jvalue *v = value(&p, 0);
  if (!v) return NULL;
  ws(&p);
  if (p.pos < p.len) {
    fail(&p, "unexpected data after the JSON value");
    json_free(v);
    return NULL;
  }
  return v;
}

void json_free(jvalue *v) {
  if (!v) return;
  for (size_t i = 0; i < v->count; i++) {
    json_free(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->text);
  free(v);
}

void json_write(jbuf *b, const jvalue *v) {
  switch (v->kind) {
    case J_NULL: jbuf_puts(b, "null"); break;
    case J_BOOL: jbuf_puts(b, v->boolean ? "true" : "false"); break;
    case J_NUMBER: jbuf_puts(b, v->text); break;
    case J_STRING: jbuf_quote(b, v->text, v->len); break;
    case J_ARRAY:
    case J_OBJECT:
      jbuf_puts(b, v->kind == J_ARRAY ? "[" : "{");
      for (size_t i = 0; i < v->count; i++) {
        if (i) jbuf_puts(b, ",");
        if (v->kind == J_OBJECT) {
          jbuf_quote(b, v->keys[i], strlen(v->keys[i]));
          jbuf_puts(b, ":");
        }
        json_write(b, v->items[i]);
      }
      jbuf_puts(b, v->kind == J_ARRAY ? "]" : "}");
      break;
  }
}

jvalue *json_get(const jvalue *object, const char *key) {
  if (!object || object->kind != J_OBJECT) return NULL;
  /* The last duplicate wins, as in JSON.parse. */
  for (size_t i = object->count; i-- > 0;)
    if (strcmp(object->keys[i], key) == 0) return object->items[i];
  return NULL;
}

const char *json_kind_name(const jvalue *v) {
  static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
  return names[v->kind];
}

int32_t jbuf_give(jbuf *b, char **output, size_t *output_len, int32_t code) {
  if (!b->data) jbuf_put(b, "", 0);
  *output = b->data;
  *output_len = b->len;
  return code;
}

int32_t text_out(const char *text, char **output, size_t *output_len) {
  jbuf b = {0};
  jbuf_puts(&b, text);
  return jbuf_give(&b, output, output_len, PLUGD_OK);
}

int32_t fail_raw(const char *message, char **output, size_t *output_len) {
  jbuf b = {0};
  jbuf_puts(&b, message);
  return jbuf_give(&b, output, output_len, PLUGD_ERR_RAW);
}
