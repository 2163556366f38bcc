using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "adjustment_deliveries",
                columns: table => new
                {
                    adjustment_id = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    etpp_reference = table.Column<string>(type: "TEXT", nullable: true),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true),
                    delivered_via = table.Column<string>(type: "TEXT", nullable: true),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    lease_until = table.Column<long>(type: "INTEGER", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adjustment_deliveries", x => x.adjustment_id);
                });

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    caller_id = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    details = table.Column<string>(type: "TEXT", nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", nullable: false),
                    previous_hash = table.Column<string>(type: "TEXT", nullable: false),
                    hash = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "caller_credentials",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    caller_id = table.Column<string>(type: "TEXT", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_caller_credentials", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "callers",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    display_name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    scopes = table.Column<string>(type: "TEXT", nullable: false),
                    regencies = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: true),
                    rate_limit_per_second = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_callers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employee_status_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    effective_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employee_status_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employees",
                columns: table => new
                {
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    kelas_jabatan = table.Column<int>(type: "INTEGER", nullable: false),
                    employment_type = table.Column<int>(type: "INTEGER", nullable: false),
                    echelon = table.Column<int>(type: "INTEGER", nullable: false),
                    tpp_ceiling_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    status_effective_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employees", x => x.nip);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    caller_id = table.Column<string>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", nullable: false),
                    request_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    response = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => new { x.caller_id, x.request_id });
                });

            migrationBuilder.CreateTable(
                name: "kecamatan",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kecamatan", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", nullable: true),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    employee_nip = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    amount_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    receipt_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    receipt_reference = table.Column<string>(type: "TEXT", nullable: false),
                    evidence_sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    recorded_by = table.Column<string>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false),
                    reverses_entry_id = table.Column<string>(type: "TEXT", nullable: true),
                    reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "merchant_status_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: false),
                    effective_at = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_by = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merchant_status_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "merchants",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    owner_name = table.Column<string>(type: "TEXT", nullable: false),
                    owner_nik = table.Column<string>(type: "TEXT", nullable: false),
                    nib = table.Column<string>(type: "TEXT", nullable: true),
                    category = table.Column<int>(type: "INTEGER", nullable: false),
                    scale = table.Column<int>(type: "INTEGER", nullable: false),
                    kecamatan_code = table.Column<string>(type: "TEXT", nullable: false),
                    address = table.Column<string>(type: "TEXT", nullable: false),
                    latitude = table.Column<double>(type: "REAL", nullable: true),
                    longitude = table.Column<double>(type: "REAL", nullable: true),
                    qris_nmid = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    status_reason = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merchants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "offices",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_offices", x => new { x.regency_code, x.code });
                });

            migrationBuilder.CreateTable(
                name: "payroll_adjustments",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", nullable: true),
                    idempotency_key = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    policy_version = table.Column<int>(type: "INTEGER", nullable: false),
                    required_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    shortfall_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    sanction = table.Column<int>(type: "INTEGER", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    supersedes_key = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payroll_adjustments", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "period_results",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    policy_version = table.Column<int>(type: "INTEGER", nullable: false),
                    required_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    exemption_reason = table.Column<string>(type: "TEXT", nullable: true),
                    compliant = table.Column<bool>(type: "INTEGER", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_period_results", x => new { x.regency_code, x.period_key, x.revision, x.nip });
                });

            migrationBuilder.CreateTable(
                name: "period_states",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    closed_by = table.Column<string>(type: "TEXT", nullable: true),
                    correction_reason = table.Column<string>(type: "TEXT", nullable: true),
                    correction_opened_by = table.Column<string>(type: "TEXT", nullable: true),
                    employees = table.Column<int>(type: "INTEGER", nullable: false),
                    exempt = table.Column<int>(type: "INTEGER", nullable: false),
                    compliant = table.Column<int>(type: "INTEGER", nullable: false),
                    non_compliant = table.Column<int>(type: "INTEGER", nullable: false),
                    required_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    shortfall_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_period_states", x => new { x.regency_code, x.period_key });
                });

            migrationBuilder.CreateTable(
                name: "quota_exemptions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: false),
                    granted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    granted_by = table.Column<string>(type: "TEXT", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_by = table.Column<string>(type: "TEXT", nullable: true),
                    revoke_reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_exemptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quota_policies",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    effective_period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    required_amount_form = table.Column<int>(type: "INTEGER", nullable: false),
                    kelas_jabatan_amounts = table.Column<string>(type: "TEXT", nullable: false),
                    echelon_amounts = table.Column<string>(type: "TEXT", nullable: false),
                    tpp_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    tpp_floor_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    tpp_cap_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_categories = table.Column<string>(type: "TEXT", nullable: false),
                    counted_scales = table.Column<string>(type: "TEXT", nullable: false),
                    merchant_cap_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    proration_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    exempt_employment_types = table.Column<string>(type: "TEXT", nullable: false),
                    sanction_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    sanction_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    replaced_by_version = table.Column<int>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_policies", x => new { x.regency_code, x.version });
                });

            migrationBuilder.CreateTable(
                name: "receipt_claims",
                columns: table => new
                {
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    receipt_reference = table.Column<string>(type: "TEXT", nullable: false),
                    entry_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_receipt_claims", x => new { x.merchant_id, x.receipt_reference });
                });

            migrationBuilder.CreateTable(
                name: "regencies",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regencies", x => x.code);
                });

            migrationBuilder.CreateIndex(
                name: "ix_adjustment_deliveries_state_next_attempt_at",
                table: "adjustment_deliveries",
                columns: new[] { "state", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_regency_code_sequence",
                table: "audit_events",
                columns: new[] { "regency_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_caller_credentials_caller_id",
                table: "caller_credentials",
                column: "caller_id");

            migrationBuilder.CreateIndex(
                name: "ix_employee_status_changes_nip_effective_date",
                table: "employee_status_changes",
                columns: new[] { "nip", "effective_date" });

            migrationBuilder.CreateIndex(
                name: "ix_employees_regency_code_nip",
                table: "employees",
                columns: new[] { "regency_code", "nip" });

            migrationBuilder.CreateIndex(
                name: "ix_employees_regency_code_office_code",
                table: "employees",
                columns: new[] { "regency_code", "office_code" });

            migrationBuilder.CreateIndex(
                name: "ix_kecamatan_regency_code",
                table: "kecamatan",
                column: "regency_code");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_id",
                table: "ledger_entries",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_regency_code_employee_nip_sequence",
                table: "ledger_entries",
                columns: new[] { "regency_code", "employee_nip", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_regency_code_merchant_id_sequence",
                table: "ledger_entries",
                columns: new[] { "regency_code", "merchant_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_regency_code_office_code_sequence",
                table: "ledger_entries",
                columns: new[] { "regency_code", "office_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_regency_code_period_key_employee_nip_merchant_id_occurred_at_amount_rupiah",
                table: "ledger_entries",
                columns: new[] { "regency_code", "period_key", "employee_nip", "merchant_id", "occurred_at", "amount_rupiah" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_regency_code_sequence",
                table: "ledger_entries",
                columns: new[] { "regency_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_reverses_entry_id",
                table: "ledger_entries",
                column: "reverses_entry_id",
                unique: true,
                filter: "reverses_entry_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_merchant_status_changes_merchant_id_effective_at",
                table: "merchant_status_changes",
                columns: new[] { "merchant_id", "effective_at" });

            migrationBuilder.CreateIndex(
                name: "ix_merchants_latitude_longitude",
                table: "merchants",
                columns: new[] { "latitude", "longitude" });

            migrationBuilder.CreateIndex(
                name: "ix_merchants_qris_nmid",
                table: "merchants",
                column: "qris_nmid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_merchants_regency_code_kecamatan_code_status",
                table: "merchants",
                columns: new[] { "regency_code", "kecamatan_code", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_merchants_regency_code_nib",
                table: "merchants",
                columns: new[] { "regency_code", "nib" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_merchants_regency_code_status_category",
                table: "merchants",
                columns: new[] { "regency_code", "status", "category" });

            migrationBuilder.CreateIndex(
                name: "ix_payroll_adjustments_id",
                table: "payroll_adjustments",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payroll_adjustments_idempotency_key",
                table: "payroll_adjustments",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payroll_adjustments_regency_code_period_key_sequence",
                table: "payroll_adjustments",
                columns: new[] { "regency_code", "period_key", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_payroll_adjustments_regency_code_sequence",
                table: "payroll_adjustments",
                columns: new[] { "regency_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_payroll_adjustments_supersedes_key",
                table: "payroll_adjustments",
                column: "supersedes_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quota_exemptions_regency_code_period_key_id",
                table: "quota_exemptions",
                columns: new[] { "regency_code", "period_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_quota_exemptions_regency_code_period_key_nip",
                table: "quota_exemptions",
                columns: new[] { "regency_code", "period_key", "nip" },
                unique: true,
                filter: "revoked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_quota_policies_regency_code_effective_period_key",
                table: "quota_policies",
                columns: new[] { "regency_code", "effective_period_key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adjustment_deliveries");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "caller_credentials");

            migrationBuilder.DropTable(
                name: "callers");

            migrationBuilder.DropTable(
                name: "employee_status_changes");

            migrationBuilder.DropTable(
                name: "employees");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "kecamatan");

            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "merchant_status_changes");

            migrationBuilder.DropTable(
                name: "merchants");

            migrationBuilder.DropTable(
                name: "offices");

            migrationBuilder.DropTable(
                name: "payroll_adjustments");

            migrationBuilder.DropTable(
                name: "period_results");

            migrationBuilder.DropTable(
                name: "period_states");

            migrationBuilder.DropTable(
                name: "quota_exemptions");

            migrationBuilder.DropTable(
                name: "quota_policies");

            migrationBuilder.DropTable(
                name: "receipt_claims");

            migrationBuilder.DropTable(
                name: "regencies");
        }
    }
}
