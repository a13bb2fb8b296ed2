import { announceSampleApp, startSampleApp } from './bootstrap.js';

announceSampleApp(await startSampleApp());
