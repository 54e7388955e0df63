declare module '@orbitdb/core';
