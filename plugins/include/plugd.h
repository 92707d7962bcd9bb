/*
 * plugd native plugin ABI, version 1 (see docs/plugin-abi.md, "Native plugins").
 *
 * A native plugin is a shared library (.so, .dylib, .dll) exporting plain C functions. Every
 * plugin function has the same signature (plugd_fn): JSON text in, JSON text out, the same
 * logical functions and error convention as the Wasm interface:
 *
 *   return 0               success; *output is the result (may be left NULL for "no output")
 *   return 1               typed error; *output is {"payload":{"type":"...","message":"..."}}
 *   return any other value raw error; *output is a message (may be left NULL)
 *
 * Buffers returned through *output are owned by the plugin until the host passes them to
 * plugd_free(), which it does exactly once per non-NULL buffer, after copying them. Input
 * buffers are owned by the host and valid only during the call; they are NOT NUL-terminated
 * (use input_len).
 *
 * Calls on one loaded library are never concurrent: the host makes one call at a time per
 * process (or worker thread), so a plugin needs no locking for its own state. Call the host's
 * callbacks only from the thread that made the call, before the call returns.
 */
#ifndef PLUGD_H
#define PLUGD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PLUGD_EXPORT __declspec(dllexport)
#else
#define PLUGD_EXPORT __attribute__((visibility("default")))
#endif

/* The ABI this header describes. A plugin returns it from plugd_abi_version(); the host refuses
 * any other value. */
#define PLUGD_ABI_VERSION 1

/* Return codes of a plugin function. */
#define PLUGD_OK 0
#define PLUGD_ERR_TYPED 1
#define PLUGD_ERR_RAW (-1)

/* Log levels for plugd_host.log (QueryMT's qmt_log levels). */
#define PLUGD_LOG_ERROR 1
#define PLUGD_LOG_WARN 2
#define PLUGD_LOG_INFO 3
#define PLUGD_LOG_DEBUG 4
#define PLUGD_LOG_TRACE 5

/*
 * What the host gives every call. Valid only during the call it was passed to. New members are
 * only ever added at the end; `size` is sizeof(plugd_host) as the host knows it, so a plugin
 * built against a newer header can tell whether a member exists.
 */
typedef struct plugd_host {
  /* PLUGD_ABI_VERSION of the host. */
  uint32_t abi_version;
  /* sizeof(plugd_host) on the host's side. */
  uint32_t size;
  /* Opaque; pass it back to the callbacks. */
  void *ctx;
  /* Streams one chunk (the JSON of one ExtismChatChunk) of chat_stream. `data` need not be
   * NUL-terminated; it is copied before the callback returns. */
  void (*yield_chunk)(void *ctx, const char *data, size_t len);
  /* Sends a log record. `target` and `message` are NUL-terminated UTF-8. */
  void (*log)(void *ctx, int32_t level, const char *target, const char *message);
} plugd_host;

/* The signature of every plugin function below. */
typedef int32_t plugd_fn(const plugd_host *host, const char *input, size_t input_len, char **output, size_t *output_len);

/* ---- Required exports ---------------------------------------------------------------- */

/* Returns PLUGD_ABI_VERSION as the plugin was built. */
PLUGD_EXPORT uint32_t plugd_abi_version(void);
/* Frees a buffer the plugin returned through *output. */
PLUGD_EXPORT void plugd_free(char *buffer);
/* Raw text: the plugin's name (input: `null`). */
PLUGD_EXPORT plugd_fn plugd_name;

/* ---- Optional exports (same meaning, input and output as the Wasm exports) ------------- *
 * A missing one makes the matching capability unsupported, exactly like a missing Wasm export.
 * The host looks each up by name at load; declare only those you define.
 *
 *   plugd_init_logging     input: a log level number (0..5); output ignored
 *   plugd_config_schema    raw JSON Schema text
 *   plugd_api_key_name     raw text: an environment variable name, or empty
 *   plugd_base_url         raw text, or empty
 *   plugd_from_config      input: cfg; output ignored
 *   plugd_supports_streaming input: cfg; output: JSON boolean
 *   plugd_list_models      input: cfg; output: JSON array of strings
 *   plugd_chat             input: {"cfg","messages","tools"}; output: chat response JSON
 *   plugd_chat_stream      same input; chunks go through host->yield_chunk; output ignored
 *   plugd_embed            input: {"cfg","inputs"}; output: [[number,...],...]
 *   plugd_complete         input: {"cfg","req"}; output: {"text": ...}
 *
 * Every name starting with plugd_tool_ is reserved for tool plugins; the ones below are defined.
 */
PLUGD_EXPORT plugd_fn plugd_init_logging;
PLUGD_EXPORT plugd_fn plugd_config_schema;
PLUGD_EXPORT plugd_fn plugd_api_key_name;
PLUGD_EXPORT plugd_fn plugd_base_url;
PLUGD_EXPORT plugd_fn plugd_from_config;
PLUGD_EXPORT plugd_fn plugd_supports_streaming;
PLUGD_EXPORT plugd_fn plugd_list_models;
PLUGD_EXPORT plugd_fn plugd_chat;
PLUGD_EXPORT plugd_fn plugd_chat_stream;
PLUGD_EXPORT plugd_fn plugd_embed;
PLUGD_EXPORT plugd_fn plugd_complete;

/* ---- Tool plugins (docs/plugin-abi.md, "Tool plugins") ---------------------------------- *
 * The Wasm tool exports, same input, output and error convention, under plugd_tool_ names
 * (reserved since version 1, so a plugin defining them is still PLUGD_ABI_VERSION 1). A tool
 * plugin defines plugd_name and plugd_tool_list, and plugd_tool_call when it declares tools.
 *
 *   plugd_tool_list                Wasm `tools`:    input null; output: JSON array of tool declarations
 *   plugd_tool_call                `call_tool`:     input {"name","arguments"}; output: a tool result
 *                                                   {"content":[...],"structuredContent"?,"isError"?}
 *   plugd_tool_initialize          `initialize`:    input: the config object ({} when none); output ignored
 *   plugd_tool_shutdown            `shutdown`:      input null; output ignored
 *   plugd_tool_system_instructions `system_instructions`: input null; output: text (empty = none)
 *   plugd_tool_auto_approved       `auto_approved_tools`: input null; output: JSON array of tool names
 *   plugd_tool_user_commands       `user_commands`: input null; output: JSON array of commands
 *   plugd_tool_run_command         `run_command`:   input {"name","args"}; output {"text","isError"?}
 *
 * A tool's own failure is a result with "isError": true and return PLUGD_OK; a non-zero return
 * is a plugin error (the call fails with PluginError).
 */
PLUGD_EXPORT plugd_fn plugd_tool_list;
PLUGD_EXPORT plugd_fn plugd_tool_call;
PLUGD_EXPORT plugd_fn plugd_tool_initialize;
PLUGD_EXPORT plugd_fn plugd_tool_shutdown;
PLUGD_EXPORT plugd_fn plugd_tool_system_instructions;
PLUGD_EXPORT plugd_fn plugd_tool_auto_approved;
PLUGD_EXPORT plugd_fn plugd_tool_user_commands;
PLUGD_EXPORT plugd_fn plugd_tool_run_command;

#ifdef __cplusplus
}
#endif

#endif /* PLUGD_H */
