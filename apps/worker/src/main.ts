import 'reflect-metadata';
import { createWorkerApp } from './bootstrap';

void createWorkerApp().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
