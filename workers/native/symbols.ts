// The C symbols of the native ABI's functions, without koffi: the daemon names them in its messages.

/**
 * The tool functions (plugd.h, "Tool plugins"): each Wasm tool export's name → its C symbol. They
 * use the `plugd_tool_` names version 1 reserved, so adding them did not change the ABI version.
 */
export const TOOL_FUNCTIONS: Readonly<Record<string, string>> = {
  tools: 'plugd_tool_list',
  call_tool: 'plugd_tool_call',
  initialize: 'plugd_tool_initialize',
  shutdown: 'plugd_tool_shutdown',
  system_instructions: 'plugd_tool_system_instructions',
  auto_approved_tools: 'plugd_tool_auto_approved',
  user_commands: 'plugd_tool_user_commands',
  run_command: 'plugd_tool_run_command',
};

/** The C symbol of a logical function name (`chat` → `plugd_chat`, `tools` → `plugd_tool_list`). */
export function symbolOf(fn: string): string {
  return TOOL_FUNCTIONS[fn] ?? `plugd_${fn}`;
}
