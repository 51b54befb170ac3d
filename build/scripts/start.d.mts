// Types of the parts of start.mjs that tests import.
import type { Server } from 'node:http';

export function createStaticServer(dir: string): Server;
export function listenFromPort(server: Server, port: number, tries?: number): Promise<number>;
export function minimumNode(range: string | null | undefined): [number, number, number] | null;
export function nodeAtLeast(version: string, minimum: readonly [number, number, number]): boolean;
export const DOWNLOAD_HELP: string;
export function linuxSandboxProblem(binary: string, sysctl?: string, apparmor?: string): string | null;
export function earlyExit(how: string, options: { root: boolean; sandbox: string | null }): { reason: string; remedy: string | null };
