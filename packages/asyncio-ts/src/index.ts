export * from '@asyncio-ts/core';
