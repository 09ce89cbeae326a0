import type { Sandbox } from '../../src/sandbox';

export const EM = '/identityGovernance/entitlementManagement';
export const EM_APPROVALS = `${EM}/accessPackageAssignmentApprovals`;
export const PIM_GROUPS = '/identityGovernance/privilegedAccess/group';
export const PIM_GROUP_APPROVALS = `${PIM_GROUPS}/assignmentApprovals`;
export const ROLE_APPROVALS = '/roleManagement/directory/roleAssignmentApprovals';
export const ROLE_REQUESTS = '/roleManagement/directory/roleAssignmentScheduleRequests';
export const REVIEWS = '/identityGovernance/accessReviews';

export interface GraphErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly innerError: {
      readonly date: string;
      readonly 'request-id': string;
      readonly 'client-request-id': string;
    };
  };
}

export interface Collection<T> {
  readonly '@odata.context': string;
  readonly '@odata.nextLink'?: string;
  readonly '@odata.count'?: number;
  readonly value: readonly T[];
}

export interface StageJson {
  readonly id: string;
  readonly assignedToMe: boolean;
  readonly displayName: string | null;
  readonly justification: string;
  readonly reviewedBy: {
    readonly id: string;
    readonly displayName: string | null;
    readonly userPrincipalName: string | null;
    readonly mail: string | null;
  } | null;
  readonly reviewedDateTime: string | null;
  readonly reviewResult: string;
  readonly status: string;
}

export interface ApprovalJson {
  readonly id: string;
  readonly stages?: readonly StageJson[];
  readonly steps?: readonly StageJson[];
}

export interface IdentityJson {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
}

export interface DecisionJson {
  readonly id: string;
  readonly accessReviewId: string;
  readonly decision: string;
  readonly justification: string;
  readonly recommendation: string;
  readonly reviewedBy: IdentityJson;
  readonly reviewedDateTime: string | null;
  readonly principal: IdentityJson;
  readonly resource: { readonly id: string; readonly displayName: string; readonly type: string };
  readonly insights?: readonly {
    readonly '@odata.type': string;
    readonly lastSignInDateTime: string | null;
  }[];
  readonly instance?: {
    readonly id: string;
    readonly definition?: { readonly id: string; readonly displayName: string };
  };
}

export interface ReviewStageJson {
  readonly '@odata.type'?: string;
  readonly id: string;
  readonly status: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly reviewers: readonly { readonly query: string; readonly queryType: string }[];
  readonly fallbackReviewers: readonly { readonly query: string; readonly queryType: string }[];
}

export interface GraphResult<T> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  /** Acting user id; default Alex. Ignored when `token` is given. */
  readonly as?: string;
  /** A raw Authorization value; null sends none. */
  readonly authorization?: string | null;
  readonly token?: string;
  readonly body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One HTTP call to the sandbox; `path` starts with the version, e.g. `/v1.0/identityGovernance/...`. */
export async function call<T = unknown>(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<GraphResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const authorization =
    options.authorization === undefined
      ? `Bearer ${options.token ?? sandbox.tokenFor(options.as ?? sandbox.users.alex.id)}`
      : options.authorization;
  if (authorization !== null) headers.Authorization = authorization;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  const url = path.startsWith('http') ? path : `${sandbox.url}${path}`;
  const response = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
    text,
  };
}

export const get = <T = unknown>(sandbox: Sandbox, path: string, options?: CallOptions) =>
  call<T>(sandbox, 'GET', path, options);
export const patch = <T = unknown>(sandbox: Sandbox, path: string, body: unknown, options?: CallOptions) =>
  call<T>(sandbox, 'PATCH', path, { ...options, body });
export const post = <T = unknown>(sandbox: Sandbox, path: string, body?: unknown, options?: CallOptions) =>
  call<T>(sandbox, 'POST', path, { ...options, ...(body === undefined ? {} : { body }) });

/** Every page of a collection, following @odata.nextLink. */
export async function allPages<T>(
  sandbox: Sandbox,
  path: string,
  options?: CallOptions,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let next: string | undefined = path;
  while (next !== undefined) {
    const response: GraphResult<Collection<T>> = await get<Collection<T>>(sandbox, next, options);
    if (response.status !== 200)
      throw new Error(`page ${pages + 1} answered ${response.status}: ${response.text}`);
    items.push(...response.body.value);
    pages += 1;
    next = response.body['@odata.nextLink'];
  }
  return { items, pages };
}

export const approve = { reviewResult: 'Approve', justification: 'Looks fine' } as const;
export const deny = { reviewResult: 'Deny', justification: 'Not needed' } as const;
