/** Polls a state until it holds (bounded, so a broken stop or cleanup fails the test instead of hanging it). */
export async function until(state: () => boolean, boundMs = 20_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!state()) {
    if (Date.now() > end) throw new Error('the state was not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
