// The qq2clone-compatible command line (filled in by the service work).
process.stderr.write('qq2clone: not yet implemented\n');
process.exit(12);
