import * as asyncio from 'asyncio-ts';

async function worker(name: string, delay: number): Promise<string> {
  await asyncio.sleep(delay); // seconds, as in asyncio
  return `${name} done`;
}

const results = await asyncio.run(async () => {
  const slow = asyncio.createTask(() => worker('slow', 0.2));
  const fast = asyncio.createTask(() => worker('fast', 0.1));
  return await asyncio.gather(slow, fast);
});
console.log(results); // [ 'slow done', 'fast done' ]
