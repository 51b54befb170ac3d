/** Runs a workload's document for `steps` iterations in one GraphSession; wall ms per step (the first included). */
import { load, GraphSession } from '../../engine/graph/index';
import { workloadDocument, type WorkloadName } from './workloads';

export function timeWorkload(name: string, steps: number): number {
  const l = load(workloadDocument(name as WorkloadName, steps));
  if (!l.ok) throw new Error(`${name}: invalid document`);
  const t0 = performance.now();
  new GraphSession(l.graph).run({});
  return (performance.now() - t0) / steps;
}
