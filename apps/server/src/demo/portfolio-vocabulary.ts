/**
 * What a generated portfolio is made of and how its history is shaped: regions and time zones, names, the mix of
 * reasons each role takes keys for and how long they keep them, and the weights of hours, weekdays and seasons.
 */
import { addDays } from "@keyward/domain/zoned-time";

/** A US market: its zone, its region and a few cities for addresses. */
export interface Market {
  zone: string;
  region: string;
  cities: readonly string[];
  weight: number;
}

export const MARKETS: readonly Market[] = [
  { zone: "America/New_York", region: "East", cities: ["Atlanta, GA", "Charlotte, NC", "Orlando, FL"], weight: 34 },
  { zone: "America/Chicago", region: "Central", cities: ["Austin, TX", "Dallas, TX", "Nashville, TN"], weight: 30 },
  { zone: "America/Denver", region: "Mountain", cities: ["Denver, CO", "Salt Lake City, UT"], weight: 9 },
  { zone: "America/Phoenix", region: "Mountain", cities: ["Phoenix, AZ", "Tucson, AZ"], weight: 8 },
  {
    zone: "America/Los_Angeles",
    region: "West",
    cities: ["San Diego, CA", "Sacramento, CA", "Seattle, WA"],
    weight: 16,
  },
  { zone: "Pacific/Honolulu", region: "Pacific", cities: ["Honolulu, HI"], weight: 2 },
  { zone: "America/Anchorage", region: "Pacific", cities: ["Anchorage, AK"], weight: 1 },
];

export const PROPERTY_WORDS = {
  first: ["Maple", "Harbor", "Cedar", "Willow", "Summit", "Riverside", "Oak", "Aspen", "Laurel", "Magnolia", "Juniper"],
  second: ["Court", "View", "Point", "Commons", "Crossing", "Park", "Ridge", "Landing", "Square", "Gardens", "Place"],
  suffix: ["Apartments", "Residences", "Lofts", "Homes", "Village"],
  streets: ["Main St", "Oak Ave", "Park Blvd", "Lake Dr", "Hill Rd", "Elm St", "Pine Way", "Bay St"],
} as const;

export const FIRST_NAMES = [
  "James",
  "Maria",
  "Robert",
  "Linda",
  "Michael",
  "Ana",
  "David",
  "Patricia",
  "Carlos",
  "Jennifer",
  "Luis",
  "Sarah",
  "Daniel",
  "Karen",
  "Jose",
  "Lisa",
  "Kevin",
  "Nancy",
  "Brian",
  "Rosa",
  "Jason",
  "Emily",
  "Miguel",
  "Ashley",
  "Anthony",
  "Megan",
  "Marcus",
  "Grace",
  "Andre",
  "Chloe",
  "Tyrone",
  "Sofia",
  "Eric",
  "Hannah",
  "Victor",
  "Olivia",
] as const;

export const LAST_NAMES = [
  "Smith",
  "Garcia",
  "Johnson",
  "Martinez",
  "Williams",
  "Rodriguez",
  "Brown",
  "Hernandez",
  "Jones",
  "Lopez",
  "Davis",
  "Gonzalez",
  "Miller",
  "Perez",
  "Wilson",
  "Sanchez",
  "Anderson",
  "Ramirez",
  "Thomas",
  "Torres",
  "Jackson",
  "Nguyen",
  "White",
  "Rivera",
  "Harris",
  "Flores",
  "Clark",
  "Kim",
  "Lewis",
  "Patel",
  "Walker",
  "Chen",
  "Young",
  "Ortiz",
] as const;

export const VENDOR_COMPANIES = [
  "Bright Paint Co.",
  "Allied Pest Control",
  "Coastal Flooring",
  "Metro Appliance Service",
  "Premier Carpet Care",
  "Reliable Plumbing",
] as const;

export const COMMON_AREAS = [
  "Pool",
  "Fitness center",
  "Mechanical room",
  "Leasing office",
  "Laundry",
  "Trash room",
  "Roof access",
  "Package room",
] as const;

/** The roles of a property's people, as the history picks among them. */
export type StaffRole = "manager" | "supervisor" | "technician" | "office" | "vendor";

/** Reason codes (by code) each role takes keys for, with weights. */
export const REASON_MIX: Readonly<Record<StaffRole, readonly (readonly [string, number])[]>> = {
  technician: [
    ["work_order", 44],
    ["preventive_maintenance", 20],
    ["inspection", 8],
    ["move_out", 8],
    ["move_in", 5],
    ["appliance_replacement", 5],
    ["pest_control", 4],
    ["painting", 3],
    ["emergency", 3],
  ],
  supervisor: [
    ["inspection", 40],
    ["work_order", 35],
    ["emergency", 15],
    ["move_out", 10],
  ],
  office: [
    ["showing", 80],
    ["move_in", 10],
    ["move_out", 10],
  ],
  vendor: [
    ["vendor", 60],
    ["painting", 25],
    ["pest_control", 15],
  ],
  manager: [
    ["inspection", 60],
    ["showing", 25],
    ["emergency", 15],
  ],
};

/** Median minutes a key stays out, by reason. */
export const MEDIAN_MINUTES: Readonly<Record<string, number>> = {
  work_order: 60,
  preventive_maintenance: 45,
  inspection: 30,
  move_in: 75,
  move_out: 90,
  showing: 25,
  pest_control: 30,
  painting: 240,
  appliance_replacement: 120,
  vendor: 120,
  emergency: 40,
};

/** Weekday visits by local hour (0–23): the morning peak of a maintenance shift. */
export const WEEKDAY_HOURS = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1.5, 6, 10, 11, 10, 8, 5, 6, 6, 5, 4, 2.5, 1.2, 0.6, 0.4, 0.3, 0.3, 0.2,
] as const;

/** Weekend visits by local hour: showings and emergencies, later and flatter. */
export const WEEKEND_HOURS = [
  0.3, 0.2, 0.2, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3.5, 3.5, 3, 3, 2.5, 2, 1.5, 1, 0.7, 0.5, 0.4, 0.3, 0.3, 0.3,
] as const;

/** Relative visits by ISO weekday (index 1 = Monday … 7 = Sunday; index 0 unused). */
export const WEEKDAY_WEIGHT = [0, 1.2, 1.2, 1.15, 1.15, 1.1, 0.35, 0.2] as const;

/** Relative visits by month (index 0 = January): summer is move-out season. */
export const MONTH_WEIGHT = [0.8, 0.85, 0.95, 1, 1.1, 1.3, 1.35, 1.3, 1.1, 1, 0.9, 0.8] as const;

/** The weight of a day: weekday, month, the last and first days of a month (moves), holidays. */
export function dayWeight(date: string, holidays: ReadonlySet<string>): number {
  const d = new Date(`${date}T12:00:00Z`);
  const weekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  const day = d.getUTCDate();
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const monthEnd = day >= lastDay - 2 || day <= 2 ? 1.5 : 1;
  const holiday = holidays.has(date) ? 0.3 : 1;
  return (WEEKDAY_WEIGHT[weekday] ?? 1) * (MONTH_WEIGHT[d.getUTCMonth()] ?? 1) * monthEnd * holiday;
}

function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  const day = 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
}

function lastWeekday(year: number, month: number, weekday: number): string {
  const last = new Date(Date.UTC(year, month + 1, 0));
  const back = (last.getUTCDay() - weekday + 7) % 7;
  return addDays(last.toISOString().slice(0, 10), -back);
}

/** US holidays a property's calendar lists, for the years given. */
export function usHolidays(years: readonly number[]): { date: string; name: string }[] {
  return years.flatMap((y) => [
    { date: `${y}-01-01`, name: "New Year's Day" },
    { date: lastWeekday(y, 4, 1), name: "Memorial Day" },
    { date: `${y}-07-04`, name: "Independence Day" },
    { date: nthWeekday(y, 8, 1, 1), name: "Labor Day" },
    { date: nthWeekday(y, 10, 4, 4), name: "Thanksgiving" },
    { date: `${y}-12-25`, name: "Christmas Day" },
  ]);
}
