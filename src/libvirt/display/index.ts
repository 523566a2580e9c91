/** display/: graphical displays of clones: viewers, their command lines, and screenshots. */
export * from './display';
export * from './png';
