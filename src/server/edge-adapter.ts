import { CloudAdapter } from 'botbuilder';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';

/**
 * botbuilder's CloudAdapter, with its two steps apart: the server checks the Bot Framework token once
 * (`authenticate`), validates the activity, and only then runs the turn with the checked result
 * (`runTurn`), instead of `process()`, which would check the token again and write its own error bodies.
 */
export class EdgeAdapter extends CloudAdapter {
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
  }

  runTurn(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}
