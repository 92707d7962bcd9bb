import { CommandsListRequest, CommandsRunRequest } from '../../protocol/commands.js';
import {
  ToolsAvailableRequest,
  ToolsCallRequest,
  ToolsExposeAllRequest,
  ToolsExposeRequest,
  ToolsListRequest,
  ToolsSystemInstructionsRequest,
  ToolsUnexposeAllRequest,
  ToolsUnexposeRequest,
} from '../../protocol/tools.js';
import type { Session } from '../rpc/session.js';
import { askClient } from './askClient.js';
import type { Caller, ToolService } from './toolService.js';

/** Registers the tools/*, commands/* methods on a session; `permissions/request` goes back to this session. */
export function registerToolHandlers(session: Session, tools: ToolService): void {
  const caller: Caller = { id: session.id, ask: (params, signal) => askClient(session, params, signal) };
  session.onClose(() => tools.release(session.id));

  // Every answer reflects the configured plugins once they have loaded (as provider calls wait for theirs).
  const ready = tools.ready.bind(tools);
  session.handle(ToolsAvailableRequest, async () => (await ready(), tools.available()));
  session.handle(ToolsExposeRequest, async (params) => (await ready(), { tools: await tools.expose(params.plugin, params.config) }));
  session.handle(ToolsUnexposeRequest, async (params) => (await ready(), { wasExposed: await tools.unexpose(params.plugin) }));
  session.handle(ToolsExposeAllRequest, async (params) => (await ready(), { outcomes: await tools.exposeAll(params?.configs) }));
  session.handle(ToolsUnexposeAllRequest, async () => (await ready(), { unexposed: await tools.unexposeAll() }));
  session.handle(ToolsListRequest, async () => (await ready(), { tools: tools.list() }));
  session.handle(ToolsCallRequest, async (params, { signal }) => (await ready(), tools.call(params.name, params.arguments ?? {}, caller, signal)));
  session.handle(ToolsSystemInstructionsRequest, async () => (await ready(), tools.systemInstructions()));
  session.handle(CommandsListRequest, async () => (await ready(), { commands: tools.commands() }));
  session.handle(CommandsRunRequest, async (params, { signal }) => (await ready(), tools.runCommand(params.name, params.args ?? {}, signal)));
}
