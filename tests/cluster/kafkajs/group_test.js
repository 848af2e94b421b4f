// kafkajs 2.2.4 consumer group against a Sluice cluster: two consumers in one group share a
// 6-partition topic, every produced message is consumed exactly once, and the committed offsets
// (admin.fetchOffsets → OffsetFetch) add up to the message count. Exit 0 on success.
// Usage: node group_test.js <bootstrap host:port,...> <topic> <group>
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, groupId] = process.argv.slice(2);
const N = 600;
const kafka = new Kafka({ clientId: 'sluice-kjs', brokers: bootstrap.split(','),
                          logLevel: logLevel.WARN, retry: { retries: 10 } });

function fail(msg) { console.error('FAIL ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), 120000).unref();

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3 }],
                             waitForLeaders: true });
  const seen = new Map();
  const consumers = [kafka.consumer({ groupId }), kafka.consumer({ groupId })];
  const assigned = [0, 0];
  for (let i = 0; i < consumers.length; ++i) {
    const c = consumers[i];
    c.on(c.events.GROUP_JOIN, (e) => {
      assigned[i] = (e.payload.memberAssignment[topic] || []).length;
    });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => {
      const key = partition + ':' + message.offset;
      seen.set(key, (seen.get(key) || 0) + 1);
    } });
  }
  const t0 = Date.now();
  while (assigned[0] + assigned[1] !== 6 || assigned[0] === 0 || assigned[1] === 0) {
    if (Date.now() - t0 > 60000) fail('group never split the partitions: ' + assigned);
    await new Promise((r) => setTimeout(r, 200));
  }
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < N; ++i) messages.push({ key: 'k' + i, value: String(i) });
  await producer.send({ topic, messages });
  await producer.disconnect();
  while (seen.size < N) {
    if (Date.now() - t0 > 90000) fail('consumed ' + seen.size + ' of ' + N);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const [k, n] of seen) if (n !== 1) fail('message ' + k + ' consumed ' + n + ' times');
  for (const c of consumers) await c.disconnect();  // commits on the way out
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  let sum = 0;
  for (const p of offsets[0].partitions) sum += Number(p.offset);
  if (sum !== N) fail('committed offsets add up to ' + sum + ', expected ' + N);
  const groups = await admin.describeGroups([groupId]);
  if (groups.groups[0].state !== 'Empty') fail('group state ' + groups.groups[0].state);
  await admin.disconnect();
  console.log('OK consumed=' + seen.size + ' committed=' + sum);
  process.exit(0);
}
main().catch((e) => fail(e.stack || String(e)));
