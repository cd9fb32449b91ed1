/** `ip -j route get ADDR` and `ip route get ADDR`: which route the kernel picks, kept apart from the tables. */
import type { Parser } from './parser';
import { toInput } from './parser';
import { readRoutes } from './ip-route';

export const parseIpRouteGet: Parser = (record) => {
  const { routes, problems } = readRoutes(toInput(record));
  return { state: { routeLookups: routes }, problems };
};
