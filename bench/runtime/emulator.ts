/**
 * The Anthropic emulator in its own process, so the contenders' client work is measured alone
 * (with it in-process, its CPU would dilute every difference). Prints its base URL, serves until killed.
 */
import { startEmulator } from '@sdl/adapters';

const emulator = await startEmulator({ provider: 'anthropic' });
process.stdout.write(`${emulator.url}\n`);
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
