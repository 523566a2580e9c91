/** templates/: the template commands (import, copy, delete, modify, edit, list) and check. */
export * from './check';
export * from './copyTemplate';
export * from './deleteTemplate';
export * from './editTemplate';
export * from './importTemplate';
export * from './listTemplates';
export * from './modifyTemplate';
export * from './cliTemplateDeps';
