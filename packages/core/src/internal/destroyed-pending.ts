// "Task was destroyed but it is pending!": the loop holds every pending task
// strongly, so none is collected mid-flight; when a loop is closed with tasks
// still pending it lets them go, and one that is then collected is reported.
import type { BaseEventLoop } from '../base-event-loop.js';

interface Held {
  loop: BaseEventLoop;
  description: string;
  sourceTraceback: string | undefined;
}

const registry = new FinalizationRegistry<Held>((held) => {
  held.loop.callExceptionHandler({
    message: 'Task was destroyed but it is pending!',
    task: held.description,
    ...(held.sourceTraceback !== undefined ? { sourceTraceback: held.sourceTraceback } : {}),
  });
});

export function watchDestroyedPending(task: { toString(): string; sourceTraceback: string | undefined }, loop: BaseEventLoop): void {
  registry.register(task, { loop, description: task.toString(), sourceTraceback: task.sourceTraceback });
}
