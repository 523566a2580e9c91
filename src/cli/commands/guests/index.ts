/** guests/: running guests: shutdown, reboot, reset, ip, ssh, guest-exec. */
export * from './guestExec';
export * from './ip';
export * from './power';
export * from './reboot';
export * from './reset';
export * from './shutdown';
export * from './ssh';
export * from './top';
export * from './vnc';
