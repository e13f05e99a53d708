/** Every report by its name in `GET /api/v1/reports/{name}`; the typed record makes a missing one a compile error. */
import type { ReportName } from "@keyward/contracts/reports";
import { accessReviewReport } from "./access-review-report.ts";
import { byActivityReport } from "./by-activity-report.ts";
import { byEmployeeReport } from "./by-employee-report.ts";
import { byUnitReport } from "./by-unit-report.ts";
import { cabinetHealthReport } from "./cabinet-health-report.ts";
import { exceptionsReport } from "./exceptions-report.ts";
import { inventoryReport } from "./inventory-report.ts";
import { keysOutReport } from "./keys-out-report.ts";
import type { ReportDefinition } from "./report-definition.ts";
import { transactionsReport } from "./transactions-report.ts";

export const REPORTS: Record<ReportName, ReportDefinition> = {
  "keys-out": keysOutReport,
  "by-unit": byUnitReport,
  "by-activity": byActivityReport,
  "by-employee": byEmployeeReport,
  exceptions: exceptionsReport,
  transactions: transactionsReport,
  inventory: inventoryReport,
  "access-review": accessReviewReport,
  "cabinet-health": cabinetHealthReport,
};
