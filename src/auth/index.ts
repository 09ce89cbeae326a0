export type {
  ActingUser,
  CardActionToken,
  SignInCardResult,
  SignInInvokeResult,
  TokenResult,
  UserTokens,
} from './types';
export { GRAPH_SCOPES, LocalSandboxTokens } from './local-tokens';
export {
  BotFrameworkTokens,
  DEFAULT_TOKEN_SERVICE_BUDGET_MS,
  RecentIds,
  SIGN_IN_FAILURE_INVOKE,
  SignInUnavailableError,
  TOKEN_EXCHANGE_INVOKE,
  TokenServiceError,
  VERIFY_STATE_INVOKE,
  handleSignInInvoke,
  handleTokenExchange,
  handleVerifyState,
  resolveActionToken,
  sendSignInCard,
  signOut,
  signOutAfterGraph401,
  tokenForTurn,
  userTokenClientOf,
} from './bot-framework-tokens';
export type {
  BotFrameworkTokensOptions,
  FlowOptions,
  TokenServiceClient,
  UserTokenClient,
} from './bot-framework-tokens';
export {
  AUTH_ERROR_TYPE,
  AUTH_MESSAGE_TYPE,
  INVALID_AUTH_CODE_TYPE,
  LOGIN_REQUEST_TYPE,
  PRECONDITION_FAILED_TYPE,
  SIGN_IN_TEXT,
  authError,
  authMessage,
  invalidAuthCode,
  loginRequest,
  preconditionFailed,
} from './auth-replies';
export type {
  AuthErrorBody,
  AuthMessageBody,
  AuthReply,
  InvalidAuthCodeBody,
  LoginRequestBody,
  PreconditionFailedBody,
  TokenExchangeResource,
} from './auth-replies';
export { tokenOwnership } from './token-owner';
export type { TokenOwnership } from './token-owner';
