// reports and report_images: each report saved once with its charts, so a retried
// or repeated send carries the same message.
import { Tables } from './tables.js';

export interface SavedReport {
  reportId: string;
  pipeline: string;
  periodStart: string;
  periodEnd: string;
  summary: unknown;
  subject: string;
  html: string;
  text: string;
  images: Array<{ name: string; width: number; height: number; png: Buffer }>;
}

export class Reports extends Tables {
  /** Saves a report and its images once; a report saved before under the same id is kept as it was. */
  async saveReport(report: SavedReport): Promise<void> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO ${this.s}.reports (report_id, pipeline, period_start, period_end, summary, subject, html, text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (report_id) DO NOTHING`,
        [
          report.reportId,
          report.pipeline,
          report.periodStart,
          report.periodEnd,
          JSON.stringify(report.summary),
          report.subject,
          report.html,
          report.text,
        ],
      );
      if (rowCount) {
        for (const img of report.images) {
          await client.query(
            `INSERT INTO ${this.s}.report_images (report_id, name, width, height, png) VALUES ($1, $2, $3, $4, $5)`,
            [report.reportId, img.name, img.width, img.height, img.png],
          );
        }
      }
    });
  }

  async report(reportId: string): Promise<SavedReport | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.reports WHERE report_id = $1`, [reportId]);
    const r = rows[0];
    if (!r) return undefined;
    const images = await this.pool.query(
      `SELECT name, width, height, png FROM ${this.s}.report_images WHERE report_id = $1 ORDER BY name`,
      [reportId],
    );
    return {
      reportId: r.report_id,
      pipeline: r.pipeline,
      periodStart: (r.period_start as Date).toISOString(),
      periodEnd: (r.period_end as Date).toISOString(),
      summary: r.summary,
      subject: r.subject,
      html: r.html,
      text: r.text,
      images: images.rows.map((i) => ({ name: i.name, width: i.width, height: i.height, png: i.png as Buffer })),
    };
  }

  /** The latest reports of a pipeline, newest first, without their images. */
  async reports(
    pipeline: string,
    limit = 20,
  ): Promise<Array<{ reportId: string; periodStart: string; periodEnd: string; subject: string }>> {
    const { rows } = await this.pool.query(
      `SELECT report_id, period_start, period_end, subject FROM ${this.s}.reports WHERE pipeline = $1 ORDER BY period_end DESC LIMIT $2`,
      [pipeline, limit],
    );
    return rows.map((r) => ({
      reportId: r.report_id,
      periodStart: (r.period_start as Date).toISOString(),
      periodEnd: (r.period_end as Date).toISOString(),
      subject: r.subject,
    }));
  }
}
