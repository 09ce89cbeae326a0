export type { ActingUser, TokenResult, UserTokens } from './types';
export { GRAPH_SCOPES, LocalSandboxTokens } from './local-tokens';
