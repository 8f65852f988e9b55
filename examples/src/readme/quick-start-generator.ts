import * as asyncio from 'asyncio-ts';

function* worker(name: string, delay: number): asyncio.Coroutine<string> {
  yield* asyncio.sleep(delay); // yield* is await; the task steps the generator
  return `${name} done`;
}

function* main(): asyncio.Coroutine<string[]> {
  // async with asyncio.timeout(1): ... becomes a body function
  return yield* asyncio.timeout(1, function* () {
    return yield* asyncio.gather(worker('slow', 0.2), worker('fast', 0.1));
  });
}
console.log(await asyncio.run(main())); // [ 'slow done', 'fast done' ]
