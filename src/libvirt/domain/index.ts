/** domain/: the domain XML model: reading a domain (disks, our bookkeeping metadata), splicing edits into its text byte-exactly, and the template document. */
export * from './domainModel';
export * from './domainDoc';
export * from './policyXml';
export * from './sshLogin';
export * from './identityXml';
