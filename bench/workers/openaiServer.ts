import { OpenAIServer } from '../../test/helpers/openaiServer.js';

// The streaming group's OpenAI-compatible server, in its own process: the direct fetch and plugd
// then both cross a process boundary to reach it, as they would a real local server.
const server = await OpenAIServer.start();
process.send?.({ baseUrl: server.baseUrl });
process.on('disconnect', () => void server.stop().then(() => process.exit(0)));
