/*
 * native-echo: the echo sample provider (plugins/echo) as a native plugin in C, against
 * plugins/include/plugd.h. Same behaviour as the Wasm echo plugin (see README.md); the reply
 * of chat_stream goes through the host's yield_chunk callback.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "plugd.h"

#define NAME "echo"
#define BASE_URL "http://localhost/echo"
#define TOOL_CALL_ID "call_1"
#define TOOL_ARGUMENTS "{\"echo\":true}"
#define DIMS 8

static const char CONFIG_SCHEMA[] =
    "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"title\":\"EchoConfig\",\"description\":\"Configuration of the echo sample "
    "provider.\",\"type\":\"object\",\"properties\":{\"prefix\":{\"type\":\"string\",\"default\":\"\",\"description\":\"Text put in front of "
    "every chat and completion reply.\"},\"model\":{\"type\":\"string\",\"enum\":[\"echo-1\",\"echo-2\"],\"description\":\"Model name (both "
    "models behave the same).\"},\"max_tokens\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"Accepted and validated, otherwise "
    "ignored.\"},\"temperature\":{\"type\":\"number\",\"description\":\"Accepted, ignored.\"},\"system\":{\"type\":\"string\",\"description\":"
    "\"System prompt; the message /system makes the plugin reply with it.\"},\"stream\":{\"type\":\"boolean\",\"description\":\"Set by the "
    "host for chat_stream; ignored.\"}},\"additionalProperties\":false}";

/* The only state kept between calls. */
static int log_level = 0;

uint32_t plugd_abi_version(void) { return PLUGD_ABI_VERSION; }

void plugd_free(char *buffer) { free(buffer); }

/* ---- Output helpers ------------------------------------------------------------------- */

static int32_t fail_typed(const char *type, const char *message, char **output, size_t *output_len) {
  jbuf b = {0};
  jbuf_puts(&b, "{\"payload\":{\"type\":");
  jbuf_quote(&b, type, strlen(type));
  jbuf_puts(&b, ",\"message\":");
  jbuf_quote(&b, message, strlen(message));
  jbuf_puts(&b, "}}");
  return jbuf_give(&b, output, output_len, PLUGD_ERR_TYPED);
}

static void yield(const plugd_host *host, jbuf *b) {
  host->yield_chunk(host->ctx, b->data, b->len);
  b->len = 0;
}

/* ---- Metadata -------------------------------------------------------------------------- */

int32_t plugd_name(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out(NAME, out, out_len);
}

int32_t plugd_api_key_name(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out("", out, out_len);
}

int32_t plugd_base_url(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out(BASE_URL, out, out_len);
}

int32_t plugd_config_schema(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out(CONFIG_SCHEMA, out, out_len);
}

int32_t plugd_supports_streaming(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out("true", out, out_len);
}

int32_t plugd_list_models(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h, (void)in, (void)n;
  return text_out("[\"echo-1\",\"echo-2\"]", out, out_len);
}

int32_t plugd_init_logging(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  char error[128], message[192];
  jvalue *v = json_parse(in, n, error, sizeof error);
  if (!v) {
    snprintf(message, sizeof message, "invalid input: %s", error);
    return fail_raw(message, out, out_len);
  }
  if (v->kind != J_NUMBER || !v->integer || v->number < 0) {
    snprintf(message, sizeof message, "invalid input: expected a non-negative integer log level, got %s", v->kind == J_NUMBER ? v->text : json_kind_name(v));
    json_free(v);
    return fail_raw(message, out, out_len);
  }
  log_level = v->number > 5 ? 5 : (int)v->number;
  json_free(v);
  if (log_level >= PLUGD_LOG_INFO) {
    snprintf(message, sizeof message, "echo plugin: logging initialised at level %d", log_level);
    h->log(h->ctx, PLUGD_LOG_INFO, NAME, message);
  }
  return text_out("", out, out_len);
}

/* ---- Config ---------------------------------------------------------------------------- */

static const char *const KNOWN_KEYS[] = {"prefix", "model", "max_tokens", "temperature", "system", "stream"};

/* A short description of a value for messages: "x", 0, true, an array, an object. */
static void describe(jbuf *b, const jvalue *v) {
  if (v->kind == J_ARRAY) return jbuf_puts(b, "an array");
  if (v->kind == J_OBJECT) return jbuf_puts(b, "an object");
  jbuf s = {0};
  json_write(&s, v);
  if (s.len > 60) {
    jbuf_put(b, s.data, 57);
    jbuf_puts(b, "...");
  } else {
    jbuf_put(b, s.data, s.len);
  }
  free(s.data);
}

static int is_set(const jvalue *v) { return v && v->kind != J_NULL; }

/* Empty when `cfg` is valid; else the message naming the field (caller frees). */
static char *validate_config(const jvalue *cfg) {
  jbuf b = {0};
  if (cfg->kind != J_OBJECT) {
    jbuf_puts(&b, "config: expected an object, got ");
    jbuf_puts(&b, json_kind_name(cfg));
    return b.data;
  }
  for (size_t i = 0; i < cfg->count; i++) {
    int known = 0;
    for (size_t k = 0; k < sizeof KNOWN_KEYS / sizeof *KNOWN_KEYS; k++) known |= strcmp(cfg->keys[i], KNOWN_KEYS[k]) == 0;
    if (!known) {
      jbuf_puts(&b, "unknown field `");
      jbuf_puts(&b, cfg->keys[i]);
      jbuf_puts(&b, "`, expected one of `prefix`, `model`, `max_tokens`, `temperature`, `system`, `stream`");
      return b.data;
    }
  }
  const jvalue *v;
  if (is_set(v = json_get(cfg, "prefix")) && v->kind != J_STRING) {
    jbuf_puts(&b, "prefix: expected a string, got ");
  } else if (is_set(v = json_get(cfg, "model")) && (v->kind != J_STRING || (strcmp(v->text, "echo-1") != 0 && strcmp(v->text, "echo-2") != 0))) {
    jbuf_puts(&b, "model: expected one of \"echo-1\", \"echo-2\", got ");
  } else if (is_set(v = json_get(cfg, "max_tokens")) && (v->kind != J_NUMBER || !v->integer || v->number < 1 || v->number > 4294967295.0)) {
    jbuf_puts(&b, "max_tokens: expected a positive integer, got ");
  } else if (is_set(v = json_get(cfg, "temperature")) && v->kind != J_NUMBER) {
    jbuf_puts(&b, "temperature: expected a number, got ");
  } else if (is_set(v = json_get(cfg, "system")) && v->kind != J_STRING) {
    jbuf_puts(&b, "system: expected a string, got ");
  } else if (is_set(v = json_get(cfg, "stream")) && v->kind != J_BOOL) {
    jbuf_puts(&b, "stream: expected a boolean, got ");
  } else {
    jbuf_puts(&b, "");
    return b.data;
  }
  describe(&b, v);
  return b.data;
}

int32_t plugd_from_config(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h;
  char error[128], message[192];
  jvalue *cfg = json_parse(in, n, error, sizeof error);
  if (!cfg) {
    snprintf(message, sizeof message, "invalid input: %s", error);
    return fail_raw(message, out, out_len);
  }
  char *invalid = validate_config(cfg);
  int32_t code;
  if (*invalid) {
    code = fail_typed("invalid_request", invalid, out, out_len);
  } else {
    jbuf b = {0};
    json_write(&b, cfg);
    code = jbuf_give(&b, out, out_len, PLUGD_OK);
  }
  free(invalid);
  json_free(cfg);
  return code;
}

/* ---- Requests -------------------------------------------------------------------------- */

typedef struct {
  jvalue *root;
  const jvalue *cfg; /* NULL = {} */
} request;

/* Parses an object input with a valid `cfg`; on failure returns the error code with the output set. */
static int32_t read_request(const char *in, size_t n, request *req, char **out, size_t *out_len) {
  char error[128], message[192];
  req->root = json_parse(in, n, error, sizeof error);
  req->cfg = NULL;
  if (!req->root) {
    snprintf(message, sizeof message, "invalid input: %s", error);
    return fail_raw(message, out, out_len);
  }
  if (req->root->kind != J_OBJECT) {
    snprintf(message, sizeof message, "invalid input: expected a JSON object, got %s", json_kind_name(req->root));
    return fail_raw(message, out, out_len);
  }
  const jvalue *cfg = json_get(req->root, "cfg");
  if (is_set(cfg)) {
    char *invalid = validate_config(cfg);
    if (*invalid) {
      int32_t code = fail_typed("invalid_request", invalid, out, out_len);
      free(invalid);
      return code;
    }
    free(invalid);
    req->cfg = cfg;
  }
  return PLUGD_OK;
}

static const char *cfg_string(const jvalue *cfg, const char *key) {
  const jvalue *v = json_get(cfg, key);
  return v && v->kind == J_STRING ? v->text : NULL;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static int count_words(const char *s, size_t n) {
  int words = 0, in_word = 0;
  for (size_t i = 0; i < n; i++) {
    int sp = is_space(s[i]);
    if (!sp && !in_word) words++;
    in_word = !sp;
  }
  return words;
}

static int is_user(const jvalue *m) {
  const jvalue *role = json_get(m, "role");
  return role && role->kind == J_STRING && strcasecmp(role->text, "user") == 0;
}

/* A message's text: its text blocks joined with "\n" (a plain-string content is the text). */
static void message_text(jbuf *b, const jvalue *m) {
  const jvalue *content = json_get(m, "content");
  if (!content) return;
  if (content->kind == J_STRING) return jbuf_put(b, content->text, content->len);
  if (content->kind != J_ARRAY) return;
  int first = 1;
  for (size_t i = 0; i < content->count; i++) {
    const jvalue *block = content->items[i];
    const char *type = cfg_string(block, "type");
    const jvalue *text = json_get(block, "text");
    if (!type || strcmp(type, "text") != 0 || !text || text->kind != J_STRING) continue;
    if (!first) jbuf_put(b, "\n", 1);
    jbuf_put(b, text->text, text->len);
    first = 0;
  }
}

/* "" when `messages` has the right shape, else a message naming the element (static buffer). */
static const char *check_messages(const jvalue *messages) {
  static char message[160];
  if (!messages) return "missing field `messages`";
  if (messages->kind != J_ARRAY) {
    snprintf(message, sizeof message, "messages: expected an array, got %s", json_kind_name(messages));
    return message;
  }
  for (size_t i = 0; i < messages->count; i++) {
    const jvalue *m = messages->items[i];
    if (m->kind != J_OBJECT) {
      snprintf(message, sizeof message, "messages[%zu]: expected an object, got %s", i, json_kind_name(m));
      return message;
    }
    const jvalue *role = json_get(m, "role");
    if (!role || role->kind != J_STRING) {
      snprintf(message, sizeof message, "messages[%zu].role: expected a string", i);
      return message;
    }
    const jvalue *content = json_get(m, "content");
    if (content && content->kind != J_ARRAY && content->kind != J_STRING && content->kind != J_NULL) {
      snprintf(message, sizeof message, "messages[%zu].content: expected an array of content blocks, got %s", i, json_kind_name(content));
      return message;
    }
  }
  return "";
}

enum { R_TEXT, R_TOOL, R_COUNT };

typedef struct {
  int kind;
  jbuf text;
  const char *tool_name;
  long count;
  int input_tokens;
} reply;

/* Decides the reply; on failure returns the error code with the output set. */
static int32_t plan_reply(const request *req, reply *r, char **out, size_t *out_len) {
  char message[256];
  memset(r, 0, sizeof *r);
  const jvalue *messages = json_get(req->root, "messages");
  const char *shape = check_messages(messages);
  if (*shape) {
    snprintf(message, sizeof message, "invalid input: %s", shape);
    return fail_raw(message, out, out_len);
  }
  const jvalue *tools = json_get(req->root, "tools");
  if (is_set(tools) && tools->kind != J_ARRAY) {
    snprintf(message, sizeof message, "invalid input: tools: expected an array or null, got %s", json_kind_name(tools));
    return fail_raw(message, out, out_len);
  }
  jbuf last = {0};
  jbuf_put(&last, "", 0);
  for (size_t i = 0; i < messages->count; i++) {
    if (!is_user(messages->items[i])) continue;
    jbuf text = {0};
    jbuf_put(&text, "", 0);
    message_text(&text, messages->items[i]);
    r->input_tokens += count_words(text.data, text.len);
    free(last.data);
    last = text;
  }
  int32_t code = PLUGD_OK;
  if (strcmp(last.data, "/fail") == 0 && last.len == 5) {
    code = fail_typed("provider_error", "echo was asked to fail", out, out_len);
  } else if (strcmp(last.data, "/tool") == 0 && last.len == 5 && tools && tools->kind == J_ARRAY && tools->count > 0) {
    const jvalue *fn = json_get(tools->items[0], "function");
    const char *name = fn ? cfg_string(fn, "name") : NULL;
    if (!name) code = fail_raw("invalid input: tools[0].function.name: expected a string", out, out_len);
    r->kind = R_TOOL;
    r->tool_name = name;
  } else if (strncmp(last.data, "/count ", 7) == 0) {
    const char *digits = last.data + 7;
    size_t len = last.len - 7;
    long count = len >= 1 && len <= 9 ? 0 : -1;
    for (size_t i = 0; count >= 0 && i < len; i++) count = digits[i] >= '0' && digits[i] <= '9' ? count * 10 + (digits[i] - '0') : -1;
    if (count < 0) code = fail_typed("invalid_request", "/count: expected a non-negative integer of at most 9 digits", out, out_len);
    r->kind = R_COUNT;
    r->count = count;
  } else {
    const char *system = req->cfg ? cfg_string(req->cfg, "system") : NULL;
    if (strcmp(last.data, "/system") == 0 && last.len == 7 && system) {
      const jvalue *v = json_get(req->cfg, "system");
      jbuf_put(&r->text, v->text, v->len);
    } else {
      const jvalue *prefix = req->cfg ? json_get(req->cfg, "prefix") : NULL;
      if (prefix && prefix->kind == J_STRING) jbuf_put(&r->text, prefix->text, prefix->len);
      jbuf_put(&r->text, last.data, last.len);
    }
  }
  if (!r->text.data) jbuf_put(&r->text, "", 0);
  free(last.data);
  return code;
}

static void usage_json(jbuf *b, int in, int out) {
  jbuf_puts(b, "{\"input_tokens\":");
  jbuf_int(b, in);
  jbuf_puts(b, ",\"output_tokens\":");
  jbuf_int(b, out);
  jbuf_puts(b, "}");
}

static void tool_call_json(jbuf *b, const char *name) {
  jbuf_puts(b, "{\"id\":\"" TOOL_CALL_ID "\",\"type\":\"function\",\"function\":{\"name\":");
  jbuf_quote(b, name, strlen(name));
  jbuf_puts(b, ",\"arguments\":");
  jbuf_quote(b, TOOL_ARGUMENTS, strlen(TOOL_ARGUMENTS));
  jbuf_puts(b, "}}");
}

int32_t plugd_chat(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h;
  request req;
  reply r;
  int32_t code = read_request(in, n, &req, out, out_len);
  if (code == PLUGD_OK) code = plan_reply(&req, &r, out, out_len);
  else memset(&r, 0, sizeof r);
  if (code == PLUGD_OK) {
    jbuf b = {0};
    if (r.kind == R_TOOL) {
      jbuf_puts(&b, "{\"text\":null,\"tool_calls\":[");
      tool_call_json(&b, r.tool_name);
      jbuf_puts(&b, "],\"thinking\":null,\"usage\":");
      usage_json(&b, r.input_tokens, 0);
      jbuf_puts(&b, ",\"finish_reason\":\"ToolCalls\"}");
    } else {
      jbuf text = {0};
      int out_tokens;
      if (r.kind == R_COUNT) {
        jbuf_put(&text, "", 0);
        for (long i = 0; i < r.count; i++) {
          char word[24];
          jbuf_put(&text, word, (size_t)snprintf(word, sizeof word, "w%ld ", i));
        }
        out_tokens = (int)r.count;
      } else {
        jbuf_put(&text, r.text.data, r.text.len);
        out_tokens = count_words(text.data, text.len);
      }
      jbuf_puts(&b, "{\"text\":");
      jbuf_quote(&b, text.data, text.len);
      jbuf_puts(&b, ",\"tool_calls\":null,\"thinking\":null,\"usage\":");
      usage_json(&b, r.input_tokens, out_tokens);
      jbuf_puts(&b, ",\"finish_reason\":\"Stop\"}");
      free(text.data);
    }
    code = jbuf_give(&b, out, out_len, PLUGD_OK);
  }
  free(r.text.data);
  json_free(req.root);
  return code;
}

static void text_chunk(const plugd_host *h, jbuf *b, const char *s, size_t n) {
  jbuf_puts(b, "{\"chunk\":{\"text\":");
  jbuf_quote(b, s, n);
  jbuf_puts(b, "}}");
  yield(h, b);
}

static void delta_chunk(const plugd_host *h, jbuf *b, const char *partial) {
  jbuf_puts(b, "{\"chunk\":{\"tool_use_input_delta\":{\"index\":0,\"partial_json\":");
  jbuf_quote(b, partial, strlen(partial));
  jbuf_puts(b, "}}}");
  yield(h, b);
}

int32_t plugd_chat_stream(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  request req;
  reply r;
  int32_t code = read_request(in, n, &req, out, out_len);
  if (code == PLUGD_OK) code = plan_reply(&req, &r, out, out_len);
  else memset(&r, 0, sizeof r);
  if (code == PLUGD_OK) {
    jbuf b = {0};
    const char *finish = "Stop";
    int out_tokens = 0;
    if (r.kind == R_TOOL) {
      jbuf_puts(&b, "{\"chunk\":{\"tool_use_start\":{\"index\":0,\"id\":\"" TOOL_CALL_ID "\",\"name\":");
      jbuf_quote(&b, r.tool_name, strlen(r.tool_name));
      jbuf_puts(&b, "}}}");
      yield(h, &b);
      delta_chunk(h, &b, "{\"echo\"");
      delta_chunk(h, &b, ":");
      delta_chunk(h, &b, "true}");
      jbuf_puts(&b, "{\"chunk\":{\"tool_use_complete\":{\"index\":0,\"tool_call\":");
      tool_call_json(&b, r.tool_name);
      jbuf_puts(&b, "}}}");
      yield(h, &b);
      finish = "ToolCalls";
    } else if (r.kind == R_COUNT) {
      for (long i = 0; i < r.count; i++) {
        char word[24];
        text_chunk(h, &b, word, (size_t)snprintf(word, sizeof word, "w%ld ", i));
      }
      out_tokens = (int)r.count;
    } else {
      /* One piece per word with the whitespace after it; leading whitespace goes with the first. */
      const char *s = r.text.data;
      size_t len = r.text.len, start = 0, i = 0;
      while (i < len && is_space(s[i])) i++;
      if (i == len && len > 0) text_chunk(h, &b, s, len);
      while (i < len) {
        while (i < len && !is_space(s[i])) i++;
        while (i < len && is_space(s[i])) i++;
        text_chunk(h, &b, s + start, i - start);
        start = i;
      }
      out_tokens = count_words(s, len);
    }
    jbuf_puts(&b, "{\"chunk\":{\"usage\":");
    usage_json(&b, r.input_tokens, out_tokens);
    jbuf_puts(&b, "},\"usage\":");
    usage_json(&b, r.input_tokens, out_tokens);
    jbuf_puts(&b, "}");
    yield(h, &b);
    jbuf_puts(&b, "{\"chunk\":{\"done\":{\"finish_reason\":\"");
    jbuf_puts(&b, finish);
    jbuf_puts(&b, "\"}}}");
    yield(h, &b);
    free(b.data);
    code = text_out("", out, out_len);
  }
  free(r.text.data);
  json_free(req.root);
  return code;
}

/* ---- Embeddings ------------------------------------------------------------------------ */

/* UTF-16 code units of a UTF-8 string, as the Wasm echo sees them (caller frees). */
static unsigned *utf16(const char *s, size_t n, size_t *count) {
  unsigned *units = malloc((n + 1) * sizeof *units);
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    unsigned cp;
    size_t extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    cp = extra == 0 ? c : extra == 1 ? c & 0x1F : extra == 2 ? c & 0x0F : c & 0x07;
    for (size_t j = 1; j <= extra && i + j < n; j++) cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
    i += extra + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units[k++] = 0xD800 + (cp >> 10);
      units[k++] = 0xDC00 + (cp & 0x3FF);
    } else {
      units[k++] = cp;
    }
  }
  *count = k;
  return units;
}

static void embed_one(jbuf *b, const jvalue *s) {
  double v[DIMS];
  for (int k = 0; k < DIMS; k++) v[k] = 1.0;
  size_t n;
  unsigned *units = utf16(s->text, s->len, &n);
  for (size_t j = 0; j < n; j++) v[j % DIMS] += (double)((units[j] * 31 + j * 7) % 97);
  free(units);
  v[n % DIMS] += (double)n;
  double norm = 0;
  for (int k = 0; k < DIMS; k++) norm += v[k] * v[k];
  norm = sqrt(norm);
  jbuf_puts(b, "[");
  for (int k = 0; k < DIMS; k++) {
    char number[40];
    float x = (float)(v[k] / norm);
    if (k) jbuf_puts(b, ",");
    /* The f32 value widened to f64, in enough digits that a JSON reader gets the same number as from the Wasm echo. */
    jbuf_put(b, number, (size_t)snprintf(number, sizeof number, "%.17g", (double)x));
  }
  jbuf_puts(b, "]");
}

int32_t plugd_embed(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h;
  request req;
  char message[160];
  int32_t code = read_request(in, n, &req, out, out_len);
  if (code != PLUGD_OK) {
    json_free(req.root);
    return code;
  }
  const jvalue *inputs = json_get(req.root, "inputs");
  if (!inputs) {
    code = fail_raw("invalid input: missing field `inputs`", out, out_len);
  } else if (inputs->kind != J_ARRAY) {
    snprintf(message, sizeof message, "invalid input: inputs: expected an array of strings, got %s", json_kind_name(inputs));
    code = fail_raw(message, out, out_len);
  } else {
    jbuf b = {0};
    jbuf_puts(&b, "[");
    for (size_t i = 0; i < inputs->count && code == PLUGD_OK; i++) {
      if (inputs->items[i]->kind != J_STRING) {
        snprintf(message, sizeof message, "invalid input: inputs[%zu]: expected a string, got %s", i, json_kind_name(inputs->items[i]));
        code = fail_raw(message, out, out_len);
        break;
      }
      if (i) jbuf_puts(&b, ",");
      embed_one(&b, inputs->items[i]);
    }
    jbuf_puts(&b, "]");
    if (code == PLUGD_OK) code = jbuf_give(&b, out, out_len, PLUGD_OK);
    else free(b.data);
  }
  json_free(req.root);
  return code;
}

/* ---- Completion ------------------------------------------------------------------------ */

int32_t plugd_complete(const plugd_host *h, const char *in, size_t n, char **out, size_t *out_len) {
  (void)h;
  request req;
  char message[160];
  int32_t code = read_request(in, n, &req, out, out_len);
  if (code != PLUGD_OK) {
    json_free(req.root);
    return code;
  }
  const jvalue *r = json_get(req.root, "req");
  const jvalue *prompt = r ? json_get(r, "prompt") : NULL;
  const jvalue *suffix = r ? json_get(r, "suffix") : NULL;
  if (!r) {
    code = fail_raw("invalid input: missing field `req`", out, out_len);
  } else if (r->kind != J_OBJECT) {
    snprintf(message, sizeof message, "invalid input: req: expected an object, got %s", json_kind_name(r));
    code = fail_raw(message, out, out_len);
  } else if (!prompt || prompt->kind != J_STRING) {
    code = fail_raw("invalid input: req.prompt: expected a string", out, out_len);
  } else if (is_set(suffix) && suffix->kind != J_STRING) {
    code = fail_raw("invalid input: req.suffix: expected a string or null", out, out_len);
  } else if (strcmp(prompt->text, "/fail") == 0 && prompt->len == 5) {
    code = fail_typed("provider_error", "echo was asked to fail", out, out_len);
  } else {
    jbuf text = {0}, b = {0};
    const jvalue *prefix = req.cfg ? json_get(req.cfg, "prefix") : NULL;
    jbuf_put(&text, "", 0);
    if (prefix && prefix->kind == J_STRING) jbuf_put(&text, prefix->text, prefix->len);
    jbuf_put(&text, prompt->text, prompt->len);
    if (suffix && suffix->kind == J_STRING) jbuf_put(&text, suffix->text, suffix->len);
    jbuf_puts(&b, "{\"text\":");
    jbuf_quote(&b, text.data, text.len);
    jbuf_puts(&b, "}");
    free(text.data);
    code = jbuf_give(&b, out, out_len, PLUGD_OK);
  }
  json_free(req.root);
  return code;
}
