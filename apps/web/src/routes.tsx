/** Every screen of the signed-in dashboard, by path. */
import { Route, Routes } from "react-router";
import { AccessProfilePage, NewAccessProfilePage } from "./pages/access-profile-page.tsx";
import { AccessProfilesPage } from "./pages/access-profiles-page.tsx";
import { AccountPage } from "./pages/account-page.tsx";
import { ActivityPage } from "./pages/activity-page.tsx";
import { AlertPage } from "./pages/alert-page.tsx";
import { AlertRulesPage } from "./pages/alert-rules-page.tsx";
import { AlertsPage } from "./pages/alerts-page.tsx";
import { AuditPage } from "./pages/audit-page.tsx";
import { BuildingsPage } from "./pages/buildings-page.tsx";
import { CabinetPage } from "./pages/cabinet-page.tsx";
import { CabinetsPage } from "./pages/cabinets-page.tsx";
import { HolidayCalendarsPage } from "./pages/holiday-calendars-page.tsx";
import { HomePage } from "./pages/home-page.tsx";
import { ImportPage } from "./pages/import-page.tsx";
import { KeyMapPage } from "./pages/key-map-page.tsx";
import { KeyPage } from "./pages/key-page.tsx";
import { KeySetsPage } from "./pages/key-sets-page.tsx";
import { KeysOutPage } from "./pages/keys-out-page.tsx";
import { KeysPage } from "./pages/keys-page.tsx";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { NotificationPreferencesPage } from "./pages/notification-preferences-page.tsx";
import { OrganizationPage } from "./pages/organization-page.tsx";
import { PeoplePage } from "./pages/people-page.tsx";
import { PersonPage } from "./pages/person-page.tsx";
import { PropertiesPage } from "./pages/properties-page.tsx";
import { PropertyPage } from "./pages/property-page.tsx";
import { ReasonCodesPage } from "./pages/reason-codes-page.tsx";
import { ReportPage } from "./pages/report-page.tsx";
import { ReportSchedulesPage } from "./pages/report-schedules-page.tsx";
import { ReportsPage } from "./pages/reports-page.tsx";
import { UnitPage } from "./pages/unit-page.tsx";
import { UnitsPage } from "./pages/units-page.tsx";
import { UsersPage } from "./pages/users-page.tsx";
import { WebhooksPage } from "./pages/webhooks-page.tsx";

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<HomePage />} />
      <Route path="/activity" element={<ActivityPage />} />
      <Route path="/alerts" element={<AlertsPage />} />
      <Route path="/alerts/rules" element={<AlertRulesPage />} />
      <Route path="/alerts/:id" element={<AlertPage />} />
      <Route path="/keys-out" element={<KeysOutPage />} />
      <Route path="/key-map" element={<KeyMapPage />} />
      <Route path="/keys" element={<KeysPage />} />
      <Route path="/keys/:id" element={<KeyPage />} />
      <Route path="/key-sets" element={<KeySetsPage />} />
      <Route path="/cabinets" element={<CabinetsPage />} />
      <Route path="/cabinets/:id" element={<CabinetPage />} />
      <Route path="/properties" element={<PropertiesPage />} />
      <Route path="/properties/:id" element={<PropertyPage />} />
      <Route path="/buildings" element={<BuildingsPage />} />
      <Route path="/units" element={<UnitsPage />} />
      <Route path="/units/:id" element={<UnitPage />} />
      <Route path="/people" element={<PeoplePage />} />
      <Route path="/people/:id" element={<PersonPage />} />
      <Route path="/users" element={<UsersPage />} />
      <Route path="/access-profiles" element={<AccessProfilesPage />} />
      <Route path="/access-profiles/new" element={<NewAccessProfilePage />} />
      <Route path="/access-profiles/:id" element={<AccessProfilePage />} />
      <Route path="/holiday-calendars" element={<HolidayCalendarsPage />} />
      <Route path="/reason-codes" element={<ReasonCodesPage />} />
      <Route path="/reports/schedules" element={<ReportSchedulesPage />} />
      <Route path="/import" element={<ImportPage />} />
      <Route path="/organization" element={<OrganizationPage />} />
      <Route path="/reports" element={<ReportsPage />} />
      <Route path="/reports/:name" element={<ReportPage />} />
      <Route path="/audit" element={<AuditPage />} />
      <Route path="/account" element={<AccountPage />} />
      <Route path="/account/notifications" element={<NotificationPreferencesPage />} />
      <Route path="/settings/webhooks" element={<WebhooksPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
