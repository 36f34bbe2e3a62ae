// What a Mosquitto 2 broker needs so that each door may publish only its own topics (issue 17):
// anyone else on the broker could otherwise spoof a door's events and Home Assistant discovery,
// or connect with its client id and make it look offline. `tobira fleet mosquitto` prints these;
// the README shows their output and test/integration/fleet/mosquitto-acl.test.ts runs a real
// Mosquitto with exactly them.
//
// Each door logs in with a username that is its client id (doorNodeId: tobira_<fleet>_<door>), and
// `use_username_as_clientid true` makes the broker use the username as the client id, so taking
// a door's client id needs its password. The ACL names each door in a `user` block rather than a
// `pattern` with %u: the door's topics (tobira/<fleet>/<door>/…) hold its name in another form
// than its username, and Mosquitto substitutes %u only whole.
import { discoveryMessages, doorNodeId, doorTopics } from './mqtt-events.js';

/** The lines of mosquitto.conf that close the broker to anonymous clients and apply the ACL. */
export function mosquittoSecurityConf(passwordFile: string, aclFile: string): string {
  return [
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    'use_username_as_clientid true',
    '',
  ].join('\n');
}

/**
 * The ACL: per door, write on its own topics and discovery, read on its unlock topic; per watcher
 * (Home Assistant, a dashboard), read on the fleet's topics and discovery, write on unlock topics
 * (the commands are signed, see mqtt-events.ts).
 */
export function mosquittoAcl(options: {
  fleet: string;
  doors: string[];
  discoveryPrefix: string;
  watchers: string[];
}): string {
  const lines = [
    `# Tobira fleet ${options.fleet}: made by tobira fleet mosquitto. Nothing is allowed unless listed.`,
  ];
  for (const door of options.doors) {
    const t = doorTopics(options.fleet, door);
    const discovery = discoveryMessages(options.discoveryPrefix, options.fleet, door).map(([topic]) => topic);
    lines.push(
      '',
      `# door '${door}'`,
      `user ${doorNodeId(options.fleet, door)}`,
      ...[t.availability, t.event, t.state, t.problem, ...discovery].map((topic) => `topic write ${topic}`),
      `topic read ${t.unlock}`,
    );
  }
  const fleetTopics = doorTopics(options.fleet, 'x').base.split('/').slice(0, -1).join('/');
  for (const watcher of options.watchers)
    lines.push(
      '',
      `# watcher '${watcher}'`,
      `user ${watcher}`,
      `topic read ${fleetTopics}/#`,
      `topic read ${options.discoveryPrefix}/#`,
      `topic write ${fleetTopics}/+/unlock`,
    );
  return lines.join('\n') + '\n';
}
