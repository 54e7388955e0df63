// The README's "Embed it in your app" example (compiled and run by test/api/examples.test.ts).
import { openNode, browserNetwork, type Client, type OpenNodeOptions } from 'p2p-docdb';

export async function todoDemo(options: Partial<OpenNodeOptions> = {}): Promise<Client> {
  const node = await openNode({ name: 'todo', network: browserNetwork(), ...options });
  await node.addSchema('type Task { title: String done: Boolean }');
  await node.subscribe('Task'); // sync Task with every peer subscribed to it too
  node.on('change', (e) => console.log(`${e.docs.length} ${e.collection} changed (${e.origin})`));
  node.on('sync-status', (s) => console.log(`${s.name} with ${s.peer}: ${s.state}`));
  const task = await node.create('Task', { title: 'Write the docs', done: false });
  await node.update('Task', task.id, { done: true });
  const { docs, total } = await node.list('Task', { where: { done: true }, limit: 20 });
  console.log(total, docs.map((d) => d.fields.title));
  console.log(node.info().addresses); // another node connects with node.connect(address)
  return node;
}
