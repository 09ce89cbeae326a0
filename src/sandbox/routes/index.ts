import type { Route } from '../router';
import { compileRoute } from '../router';
import { approvalRoutes } from './approvals';
import type { Handler } from './context';
import { requestRoutes } from './requests';
import { reviewRoutes } from './reviews';

export type { Handler, Reply, RouteContext } from './context';

export const ROUTES: readonly Route<Handler>[] = [...approvalRoutes, ...requestRoutes, ...reviewRoutes].map(
  compileRoute,
);
