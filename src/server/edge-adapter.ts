import { CloudAdapter } from 'botbuilder';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import { traced } from '../telemetry';

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
    const attributes = {
      'activity.type': activity.type,
      'activity.name': activity.type === 'invoke' ? (activity.name ?? '') : '',
      'conversation.type': activity.conversation?.conversationType ?? 'personal',
    };
    return traced(
      `teams.turn ${activity.type}`,
      attributes,
      () => this.processActivity(authenticated, activity, logic),
      {
        kind: 'server',
      },
    );
  }
}
