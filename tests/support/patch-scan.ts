import { madeUpJustifications } from './typed';

/**
 * Runs after every test file (jest setupFilesAfterEach): no PATCH or POST a bot under test sent to the
 * Graph sandbox carries a justification that no test typed. The bot never writes words for a user.
 */
afterAll(() => {
  const madeUp = madeUpJustifications();
  if (madeUp.length > 0)
    throw new Error(`The bot wrote justifications nobody typed:\n${madeUp.slice(0, 10).join('\n')}`);
});
