/*
 * native-tally: a native tool plugin in C (plugins/include/plugd.h, docs/plugin-abi.md §15).
 * Named counters kept between calls: `tally_add` (changes state) and `tally_get` (read-only,
 * auto-approved), the user command `tally`, initialize/shutdown with a `max_counters` config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "plugd.h"

#define NAME "tally"
#define MAX_NAME 64
#define LIMIT 64

static const char CONFIG_SCHEMA[] =
    "{\"type\":\"object\",\"properties\":{\"max_counters\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,"
    "\"description\":\"How many counters may exist at once (default 8).\"}},\"additionalProperties\":false}";

static const char TOOLS[] =
    "[{\"name\":\"tally_add\",\"description\":\"Add an amount (default 1) to a named counter, creating it at 0 first.\","
    "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9_]{0,31}$\"},"
    "\"amount\":{\"type\":\"integer\",\"minimum\":-1000000,\"maximum\":1000000}},\"required\":[\"name\"],\"additionalProperties\":false},"
    "\"annotations\":{\"readOnlyHint\":false}},"
    "{\"name\":\"tally_get\",\"description\":\"Read one counter, or every counter when no name is given.\","
    "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"additionalProperties\":false},"
    "\"annotations\":{\"readOnlyHint\":true}}]";

static const char COMMANDS[] =
    "[{\"name\":\"tally\",\"description\":\"Show the counters\",\"shareWithModel\":true,"
    "\"parameters\":[{\"name\":\"name\",\"description\":\"only this counter\",\"required\":false}]}]";

/* The state kept between calls (one process per worker: run it with threads = 1). */
static struct {
  char name[MAX_NAME];
  long long value;
} counters[LIMIT];
static size_t used = 0;
static long long max_counters = 8;

uint32_t plugd_abi_version(void) { return PLUGD_ABI_VERSION; }
void plugd_free(char *buffer) { free(buffer); }


/* A tool result: one text block, and the counters as structuredContent unless it is an error. */
static int32_t result(const char *text, int with_counters, int is_error, char **output, size_t *output_len) {
  jbuf b = {0};
  jbuf_puts(&b, "{\"content\":[{\"type\":\"text\",\"text\":");
  jbuf_quote(&b, text, strlen(text));
  jbuf_puts(&b, "}]");
  if (with_counters) {
    jbuf_puts(&b, ",\"structuredContent\":{\"counters\":{");
    for (size_t i = 0; i < used; i++) {
      if (i) jbuf_puts(&b, ",");
      jbuf_quote(&b, counters[i].name, strlen(counters[i].name));
      jbuf_puts(&b, ":");
      jbuf_int(&b, counters[i].value);
    }
    jbuf_puts(&b, "}}");
  }
  jbuf_puts(&b, is_error ? ",\"isError\":true}" : ",\"isError\":false}");
  return jbuf_give(&b, output, output_len, PLUGD_OK);
}

static long find(const char *name) {
  for (size_t i = 0; i < used; i++)
    if (strcmp(counters[i].name, name) == 0) return (long)i;
  return -1;
}

/* "a=1, b=2", or one counter's "a=1". */
static void listing(char *text, size_t size, const char *only) {
  size_t at = 0;
  text[0] = '\0';
  for (size_t i = 0; i < used && at < size; i++) {
    if (only && strcmp(counters[i].name, only) != 0) continue;
    at += (size_t)snprintf(text + at, size - at, "%s%s=%lld", at ? ", " : "", counters[i].name, counters[i].value);
  }
  if (!text[0]) snprintf(text, size, "no counters");
}

static jvalue *parse(const char *input, size_t n, char **output, size_t *output_len, int32_t *code) {
  char error[128];
  jvalue *v = json_parse(input, n, error, sizeof error);
  if (!v || v->kind != J_OBJECT) {
    json_free(v);
    *code = fail_raw(v ? "expected a JSON object" : error, output, output_len);
    return NULL;
  }
  return v;
}

int32_t plugd_name(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out(NAME, output, output_len);
}

int32_t plugd_config_schema(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out(CONFIG_SCHEMA, output, output_len);
}

int32_t plugd_tool_list(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out(TOOLS, output, output_len);
}

int32_t plugd_tool_auto_approved(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out("[\"tally_get\"]", output, output_len);
}

int32_t plugd_tool_system_instructions(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out("Use tally_add to count things by name and tally_get to read the counts.", output, output_len);
}

int32_t plugd_tool_user_commands(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host, (void)input, (void)n;
  return text_out(COMMANDS, output, output_len);
}

/* input: the config object. Starts with no counters. */
int32_t plugd_tool_initialize(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  int32_t code = PLUGD_OK;
  jvalue *config = parse(input, n, output, output_len, &code);
  if (!config) return code;
  jvalue *max = json_get(config, "max_counters");
  max_counters = max && max->kind == J_NUMBER && max->number >= 1 && max->number <= LIMIT ? (long long)max->number : 8;
  json_free(config);
  used = 0;
  char line[96];
  snprintf(line, sizeof line, "tally: initialize max_counters=%lld", max_counters);
  host->log(host->ctx, PLUGD_LOG_INFO, NAME, line);
  return PLUGD_OK;
}

int32_t plugd_tool_shutdown(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)input, (void)n, (void)output, (void)output_len;
  used = 0;
  host->log(host->ctx, PLUGD_LOG_INFO, NAME, "tally: shutdown");
  return PLUGD_OK;
}

/* input: {"name": TOOL, "arguments": {...}}, the arguments already valid for the tool's inputSchema. */
int32_t plugd_tool_call(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host;
  int32_t code = PLUGD_OK;
  jvalue *call = parse(input, n, output, output_len, &code);
  if (!call) return code;
  jvalue *tool = json_get(call, "name");
  jvalue *args = json_get(call, "arguments");
  jvalue *name = args ? json_get(args, "name") : NULL;
  const char *counter = name && name->kind == J_STRING ? name->text : NULL;
  char text[1024];
  if (tool && tool->kind == J_STRING && strcmp(tool->text, "tally_add") == 0 && counter) {
    jvalue *amount = json_get(args, "amount");
    long i = find(counter);
    if (i < 0) {
      if ((long long)used >= max_counters) {
        snprintf(text, sizeof text, "cannot add \"%s\": there are already %lld counters (max_counters)", counter, max_counters);
        code = result(text, 0, 1, output, output_len);
        goto done;
      }
      i = (long)used++;
      snprintf(counters[i].name, MAX_NAME, "%s", counter);
      counters[i].value = 0;
    }
    counters[i].value += amount && amount->kind == J_NUMBER ? (long long)amount->number : 1;
    snprintf(text, sizeof text, "%s=%lld", counters[i].name, counters[i].value);
    code = result(text, 1, 0, output, output_len);
  } else if (tool && tool->kind == J_STRING && strcmp(tool->text, "tally_get") == 0) {
    if (counter && find(counter) < 0) {
      snprintf(text, sizeof text, "no counter named \"%s\"", counter);
      code = result(text, 0, 1, output, output_len);
    } else {
      listing(text, sizeof text, counter);
      code = result(text, 1, 0, output, output_len);
    }
  } else {
    code = fail_raw("call_tool: unknown tool", output, output_len);
  }
done:
  json_free(call);
  return code;
}

/* input: {"name": COMMAND, "args": {...}}. */
int32_t plugd_tool_run_command(const plugd_host *host, const char *input, size_t n, char **output, size_t *output_len) {
  (void)host;
  int32_t code = PLUGD_OK;
  jvalue *run = parse(input, n, output, output_len, &code);
  if (!run) return code;
  jvalue *command = json_get(run, "name");
  jvalue *args = json_get(run, "args");
  jvalue *only = args ? json_get(args, "name") : NULL;
  char text[1024];
  jbuf b = {0};
  if (!command || command->kind != J_STRING || strcmp(command->text, "tally") != 0) {
    json_free(run);
    return fail_raw("run_command: unknown command", output, output_len);
  }
  const char *name = only && only->kind == J_STRING ? only->text : NULL;
  int missing = name && find(name) < 0;
  if (missing) snprintf(text, sizeof text, "no counter named \"%s\"", name);
  else listing(text, sizeof text, name);
  jbuf_puts(&b, "{\"text\":");
  jbuf_quote(&b, text, strlen(text));
  jbuf_puts(&b, missing ? ",\"isError\":true}" : ",\"isError\":false}");
  json_free(run);
  return jbuf_give(&b, output, output_len, PLUGD_OK);
}
