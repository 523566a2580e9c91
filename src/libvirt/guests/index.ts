/** guest/: running guests: graceful power with a wait, addresses from domifaddr's three sources and their background cache, the 127.0.0.1 SSH forward, host keys learned through the agent, commands run inside guests through the guest agent. */
export * from './power';
export * from './addresses';
export * from './addressBook';
export * from './forward';
export * from './ssh';
export * from './agent';
export * from './run';
