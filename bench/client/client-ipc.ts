/** What the client benchmark asks the simulator process. */
export type SimulatorRequest = { type: 'forget' } | { type: 'close' };

/** What the simulator process answers. */
export type SimulatorReply =
  { type: 'ready'; baseUrl: string; apiKey: string; projectId: string } | { type: 'ok' };
