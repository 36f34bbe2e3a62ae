// A node:test reporter beside the spec reporter: one JSON line per skipped test
// or suite (file, name, reason), which scripts/test.mjs sums up after the run.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || event.data.skip === undefined) continue;
    const { file, name, skip } = event.data;
    yield `${JSON.stringify({ file, name, reason: typeof skip === 'string' ? skip : 'no reason given' })}\n`;
  }
}
