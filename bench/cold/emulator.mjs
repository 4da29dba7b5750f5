// The Anthropic emulator for the cold-start runs, in its own process so its work is in neither
// host. Replies with the JSON the host's skill (meeting-action-items) asks for. Prints its URL.
import { startEmulator } from '@sdl/adapters';

const emulator = await startEmulator({
  provider: 'anthropic',
  reply: { json: { decisions: [], action_items: [{ task: 'Patch the SDK wrapper', owner: 'Priya', due: '2026-11-20' }], open_questions: [] } },
});
process.stdout.write(`${emulator.url}\n`);
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
