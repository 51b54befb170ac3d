/**
 * `npm run -s cli -- step GRAPH.json [--iterations N]`: drives an engine host in
 * a worker thread over the protocol, exactly as the canvas does: load, step
 * forward to the end of the forward pass, then step backward one grad_fn at a
 * time (and on through update nodes and further iterations), printing one JSON
 * line per step, `{"phase": "forward"|"backward", "node": ..., "grad_fn": ...}`,
 * and the graph's result JSON (as `run` prints it) as the last line.
 * Exit status as for `run`: 0 finished, 1 the graph raised an error, 2 invalid
 * document or usage (with the JSON path on stderr).
 */
import { writeJson } from '../../graph/result';
import { EngineRequestError, errorJson } from '../../protocol/codec';
import type { StepPhase } from '../../protocol/messages';
import { EngineClient } from '../../protocol/client';
import type { Command } from './command';
import { spawnNodeEngine } from './spawn';
import { readDocument, withIterations } from './read-document';
import { toStdout } from './sink';

const USAGE = 'step GRAPH.json [--iterations N]';

function fail(message: string): number {
  process.stderr.write(`${message}\nusage: npm run -s cli -- ${USAGE}\n`);
  return 2;
}

async function step(args: string[]): Promise<number> {
  let iterations: number | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--iterations') iterations = Number(args[++i]);
    else if (a.startsWith('--')) return fail(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1) return fail(files.length === 0 ? 'no graph file given' : 'step takes one graph file');
  if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0))
    return fail('--iterations takes a positive integer');
  const file = files[0]!;
  const read = readDocument(file);
  if (!read) return 2;
  const doc = withIterations(read, iterations);

  const engine = spawnNodeEngine();
  const client = new EngineClient(engine, { onInvalid: (m) => process.stderr.write(`${file}: protocol: ${m}\n`) });
  engine.onExit((reason) => client.close(errorJson('EngineStopped', `the engine stopped: ${reason}`)));
  client.on((e) => {
    if (e.event === 'warning') process.stderr.write(`${file}: warning at ${e.node}: ${e.message}\n`);
  });
  const line = (phase: 'forward' | 'backward', node: string | null, grad_fn: string | null) =>
    process.stdout.write(`${JSON.stringify({ phase, node, grad_fn })}\n`);
  try {
    const loaded = await client.load(doc);
    if (!loaded.ok) {
      for (const i of loaded.issues) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
      return 2;
    }
    let phase: StepPhase = 'forward';
    while (phase !== 'done') {
      if (phase === 'backward') {
        const r = await client.stepBackward();
        if (r.grad_fn !== null) line('backward', r.node, r.grad_fn);
        phase = r.phase;
      } else {
        const r = await client.stepForward();
        if (r.node !== null && r.error === null) line('forward', r.node, r.grad_fn);
        phase = r.phase;
      }
    }
    const result = await client.result();
    // The result can be larger than any string: written in chunks, after the step lines.
    if (process.stdout.writableLength > 0) await new Promise((r) => process.stdout.once('drain', r));
    toStdout((write) => {
      writeJson(result, write);
      write('\n');
    });
    return result.error ? 1 : 0;
  } catch (e) {
    if (!(e instanceof EngineRequestError)) throw e;
    process.stderr.write(`${file}: ${e.error.type}: ${e.error.message}\n`);
    return 2;
  } finally {
    client.close();
    engine.terminate();
  }
}

/** The `step` command. */
export const stepCommand: Command = { name: 'step', usage: USAGE, run: step };
