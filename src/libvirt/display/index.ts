/** display/: graphical displays of clones: viewers, their command lines, connect (the viewers of a set), screenshots. */
export * from './display';
export * from './connect';
export * from './png';
export * from './vnc';
export * from './vncAuth';
export * from './vncRelay';
