// Trivial workflows that prove a server works: one returns at once, one sleeps a whole day.
import { sleep } from '@temporalio/workflow';

export async function echo(value: string): Promise<string> {
  return value;
}

export async function sleepForADay(): Promise<string> {
  await sleep('24 hours');
  return 'woke up';
}
