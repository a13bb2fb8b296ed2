// The Pathors simulator in its own process, so that the API client under test never shares its event loop.
import { PathorsSimulator } from 'nestjs-pathors/testing';
import type { SimulatorReply, SimulatorRequest } from './client-ipc.js';

async function main(): Promise<void> {
  const simulator = new PathorsSimulator({ streamChunkDelayMs: 0 });
  const baseUrl = await simulator.start();
  const reply = (message: SimulatorReply) => process.send!(message);
  process.on('message', (message: SimulatorRequest) => {
    if (message.type === 'close') void simulator.stop().finally(() => process.exit(0));
    // The simulator records every request; forget them between rounds so its memory stays flat.
    else if (message.type === 'forget') {
      simulator.clearRequests();
      reply({ type: 'ok' });
    }
  });
  reply({ type: 'ready', baseUrl, apiKey: simulator.apiKey, projectId: simulator.projectId });
}

// Never outlive the benchmark that started this process.
process.on('disconnect', () => process.exit(0));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
