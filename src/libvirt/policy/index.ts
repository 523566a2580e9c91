/** Power-off policies: model, bookkeeping, applying them, the action log, and the qemu hook that applies them. */
export * from '../../core/powerOffPolicy';
export { setClonePolicy } from './meta';
export { bareMetaElement, templatePolicyOf, withTemplatePolicy } from '../domain';
export { applyPolicy, resetOverlays, type ApplyOptions, type StoppedClone } from './apply';
export { appendPolicyLog, latestByClone, parsePolicyLog, readPolicyLogs, type PolicyLogEntry } from './log';
export { HOOK_MARKER, hookScript, shQuote, type HookScriptValues } from './hookScript';
export { hookStatus, installHook, runningDaemon, uninstallHook, type HookStatus, type HookUse } from './install';
export { HOOK_FILE_NAME, hookFile, hookLog, hookPaths, userPolicyLog, type HookPaths } from './paths';
