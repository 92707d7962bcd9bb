// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// plugd's sample WASI tool plugin: read and list files, only under the
// directories granted by `allowed_paths` in its [tools.config]. plugd preopens
// exactly those directories (each under its own host path) when it loads the
// plugin; the plugin refuses any path that is not inside one of them before
// asking WASI, and WASI has nothing else to open. See README.md.

import { beginCall, setOutput } from "../sdk/extism";
import { JsonValue } from "../sdk/json";
import { readToolCall, readConfigInput, toolDeclaration, toolResult, resultText, resultError, failInput } from "../sdk/tools";
import { preopens, readFile, listDirectory, errnoName, fileType, symlinkOnPath, Preopen, FILETYPE_DIRECTORY } from "../sdk/wasi";

const DEFAULT_MAX_BYTES: i32 = 65536;
let maxBytes: i32 = DEFAULT_MAX_BYTES;

export function name(): i32 {
  beginCall();
  setOutput("files");
  return 0;
}

export function config_schema(): i32 {
  beginCall();
  setOutput('{"type":"object","properties":{"allowed_paths":{"type":"array","items":{"type":"string"},"description":"Directories the plugin may read (granted when plugd loads it)."},"max_bytes":{"type":"integer","minimum":1,"maximum":1048576,"description":"The most bytes read_file returns (default 65536)."}},"additionalProperties":false}');
  return 0;
}

export function initialize(): i32 {
  beginCall();
  const input = readConfigInput();
  if (input.error.length > 0) return failInput(input.error);
  const v = input.args.get("max_bytes");
  maxBytes = v !== null && v.isNumber() ? <i32>v.asNumber() : DEFAULT_MAX_BYTES;
  setOutput("");
  return 0;
}

export function shutdown(): i32 {
  beginCall();
  maxBytes = DEFAULT_MAX_BYTES;
  setOutput("");
  return 0;
}

export function system_instructions(): i32 {
  beginCall();
  setOutput("You can read and list files with read_file and list_directory, using absolute paths inside the directories list_allowed_paths gives.");
  return 0;
}

export function auto_approved_tools(): i32 {
  beginCall();
  setOutput('["list_allowed_paths"]');
  return 0;
}

export function tools(): i32 {
  beginCall();
  const pathSchema = '{"type":"object","properties":{"path":{"type":"string","minLength":1,"description":"An absolute path inside a granted directory."}},"required":["path"],"additionalProperties":false}';
  const list = JsonValue.arr();
  list.push(toolDeclaration("read_file", "Read a text file (UTF-8) inside a granted directory.", pathSchema, true));
  list.push(toolDeclaration("list_directory", "List a directory inside a granted directory.", pathSchema, true));
  list.push(toolDeclaration("list_allowed_paths", "List the directories this plugin may read.", '{"type":"object","properties":{},"additionalProperties":false}', true));
  setOutput(list.stringify());
  return 0;
}

/** Where a requested path lives: the preopen it is under and the path relative to it. */
class Resolved {
  dir: Preopen | null = null;
  relative: string = ".";
  error: string = "";
}

/**
 * Accepts only absolute paths without ".", ".." or empty segments that are a granted directory or lie
 * inside one. Everything else is refused here, before WASI sees it.
 */
function resolvePath(path: string): Resolved {
  const out = new Resolved();
  if (!path.startsWith("/")) {
    out.error = "path must be absolute: " + path;
    return out;
  }
  const parts = path.split("/");
  const clean = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length == 0) {
      // One trailing "/" is fine; "//" would let the same file have other spellings, which
      // `deny_calls` globs over the arguments' text could not all name.
      if (i == 0 || i == parts.length - 1) continue;
      out.error = "path must not contain empty segments (\"//\"): " + path;
      return out;
    }
    if (part == "." || part == "..") {
      out.error = "path must not contain \".\" or \"..\" segments: " + path;
      return out;
    }
    clean.push(part);
  }
  const normal = "/" + clean.join("/");
  const dirs = preopens();
  for (let i = 0; i < dirs.length; i++) {
    const d = dirs[i].path;
    if (normal == d) {
      out.dir = dirs[i];
      out.relative = ".";
      return out;
    }
    const prefix = d == "/" ? "/" : d + "/";
    if (normal.startsWith(prefix)) {
      out.dir = dirs[i];
      out.relative = normal.substring(prefix.length);
      return out;
    }
  }
  out.error = "access denied: " + normal + " is outside the granted directories (" + grantedList(dirs) + ")";
  return out;
}

function grantedList(dirs: Preopen[]): string {
  if (dirs.length == 0) return "none: set allowed_paths in the plugin's [tools.config]";
  const names = new Array<string>();
  for (let i = 0; i < dirs.length; i++) names.push(dirs[i].path);
  return names.join(", ");
}

export function call_tool(): i32 {
  beginCall();
  const call = readToolCall();
  if (call.error.length > 0) return failInput(call.error);

  if (call.name == "list_allowed_paths") {
    const dirs = preopens();
    const arr = JsonValue.arr();
    for (let i = 0; i < dirs.length; i++) arr.push(JsonValue.str(dirs[i].path));
    return toolResult(grantedList(dirs), false, JsonValue.obj().set("paths", arr));
  }

  const path = call.args.getString("path");
  if (path === null) return resultError("path: expected a string");
  const where = resolvePath(path);
  if (where.error.length > 0) return resultError(where.error);
  const link = symlinkOnPath(where.dir!, where.relative);
  if (link.length > 0) return resultError("access denied: " + where.dir!.path + "/" + link + " is a symbolic link (links are not followed)");
  const type = fileType(where.dir!, where.relative);
  if (type < 0) return resultError(path + ": " + errnoName(<u16>(-type)));

  if (call.name == "read_file") {
    if (<u8>type == FILETYPE_DIRECTORY) return resultError(path + ": is a directory (use list_directory)");
    const r = readFile(where.dir!, where.relative, maxBytes);
    if (r.errno != 0) return resultError(path + ": " + errnoName(r.errno));
    const file = r.value!;
    return resultText(file.truncated ? file.text + "\n[truncated at " + maxBytes.toString() + " bytes]" : file.text);
  }
  if (call.name == "list_directory") {
    if (<u8>type != FILETYPE_DIRECTORY) return resultError(path + ": not a directory");
    const r = listDirectory(where.dir!, where.relative);
    if (r.errno != 0) return resultError(path + ": " + errnoName(r.errno));
    const entries = r.value!;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const lines = new Array<string>();
    const arr = JsonValue.arr();
    for (let i = 0; i < entries.length; i++) {
      lines.push((entries[i].kind == "dir" ? entries[i].name + "/" : entries[i].name));
      arr.push(JsonValue.obj().set("name", JsonValue.str(entries[i].name)).set("kind", JsonValue.str(entries[i].kind)));
    }
    return toolResult(lines.join("\n"), false, JsonValue.obj().set("entries", arr));
  }
  return resultError("unknown tool \"" + call.name + "\"");
}
