import { context, metrics, propagation, trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { Logger } from '../log';
import { renewInstruments } from './instruments';

export interface TelemetrySettings {
  /** OTLP/HTTP collector base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`): traces to /v1/traces, metrics to /v1/metrics. */
  readonly otlpEndpoint: string | null;
  /** Application Insights (`APPLICATIONINSIGHTS_CONNECTION_STRING`), through the Azure Monitor distro. */
  readonly appInsightsConnectionString: string | null;
  /** How often metrics are exported. */
  readonly metricIntervalMs: number;
  readonly serviceName: string;
}

export interface Telemetry {
  /** Where traces and metrics go: none, otlp, azureMonitor, or both. */
  readonly exporters: readonly ('otlp' | 'azureMonitor')[];
  /** Exports what is buffered now (tests, and before a planned exit). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const NOWHERE: Telemetry = { exporters: [], flush: async () => {}, shutdown: async () => {} };

/**
 * Starts OpenTelemetry when an exporter is configured, and nothing otherwise (the API stays a no-op). The
 * SDKs load only then. HTTP and Azure SDK auto-instrumentation stay off: the bot's own spans say what
 * happened without recording URLs' query strings or headers.
 */
export async function startTelemetry(settings: TelemetrySettings, log: Logger): Promise<Telemetry> {
  if (!settings.otlpEndpoint && !settings.appInsightsConnectionString) return NOWHERE;
  const [{ BatchSpanProcessor }, { PeriodicExportingMetricReader }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/resources'),
    ]);
  const resource = resourceFromAttributes({ 'service.name': settings.serviceName });
  const spanProcessors: SpanProcessor[] = [];
  const metricReaders: MetricReader[] = [];
  if (settings.otlpEndpoint) {
    const base = settings.otlpEndpoint.replace(/\/+$/, '');
    const [{ OTLPTraceExporter }, { OTLPMetricExporter }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
    ]);
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` })));
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: settings.metricIntervalMs,
      }),
    );
  }

  if (settings.appInsightsConnectionString) {
    const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: settings.appInsightsConnectionString },
      resource,
      spanProcessors,
      metricReaders,
      enableLiveMetrics: false,
      instrumentationOptions: {
        http: { enabled: false },
        azureSdk: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
      },
    });
    renewInstruments();
    const exporters = settings.otlpEndpoint
      ? (['otlp', 'azureMonitor'] as const)
      : (['azureMonitor'] as const);
    log.info({ exporters }, 'telemetry on');
    return {
      exporters,
      flush: async () => {
        await Promise.all([
          ...spanProcessors.map((p) => p.forceFlush()),
          ...metricReaders.map((r) => r.forceFlush()),
        ]);
      },
      shutdown: () => shutdownAzureMonitor(),
    };
  }

  const [{ NodeTracerProvider }, { MeterProvider }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  // Registers the async-hooks context manager too, so a Graph call's span is a child of its turn's.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });
  metrics.setGlobalMeterProvider(meterProvider);
  renewInstruments();
  log.info({ exporters: ['otlp'] }, 'telemetry on');
  return {
    exporters: ['otlp'],
    flush: async () => {
      await tracerProvider.forceFlush();
      await meterProvider.forceFlush();
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      // The API's providers are process-wide: a later start (another app in the same process) begins clean.
      metrics.disable();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
