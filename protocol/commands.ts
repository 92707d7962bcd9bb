import { RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';

/** One parameter of a user command. */
export interface CommandParameter {
  /** The parameter's name (the key in `commands/run`'s `args`). */
  name: string;
  /** What it is for. */
  description?: string;
  /** Whether `commands/run` must give it. */
  required?: boolean;
}

/** A command a user runs directly (not the model), declared by an exposed plugin's `user_commands`. */
export interface UserCommand {
  /** The command's name, unique across exposed plugins. */
  name: string;
  /** What it does. */
  description: string;
  /** Whether its output should be added to the model's context by the client. */
  shareWithModel: boolean;
  /** Its parameters, in order (the CLI maps positional arguments to them). */
  parameters?: CommandParameter[];
  /** The plugin that owns it. */
  plugin: string;
}

/** The user commands of every exposed plugin. */
export namespace CommandsListRequest {
  export const method = 'commands/list' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Commands, grouped by plugin in tools/available order. */
    commands: UserCommand[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Runs one user command through its plugin's `run_command`. User commands need no permission: the user runs them. */
export namespace CommandsRunRequest {
  export const method = 'commands/run' as const;
  export const paramsSchema = z.strictObject({
    /** The command's name, as commands/list gives it. */
    name: z.string().min(1),
    /** Arguments by parameter name (default `{}`); a missing required parameter is InvalidParams. */
    args: z.record(z.string(), z.unknown()).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The command's output text. */
    text: string;
    /** True when the command itself failed (the text says why). */
    isError: boolean;
    /** Whether the client should share `text` with the model (the command's `shareWithModel`). */
    shareWithModel: boolean;
    /** The plugin that ran it. */
    plugin: string;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
