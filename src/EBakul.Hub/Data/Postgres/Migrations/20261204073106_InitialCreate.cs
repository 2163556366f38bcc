using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
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
                    adjustment_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    state = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    etpp_reference = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    delivered_at = table.Column<long>(type: "bigint", nullable: true),
                    delivered_via = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    next_attempt_at = table.Column<long>(type: "bigint", nullable: true),
                    lease_until = table.Column<long>(type: "bigint", nullable: true),
                    lease_owner = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adjustment_deliveries", x => x.adjustment_id);
                });

            migrationBuilder.CreateTable(
                name: "adjustment_disputes",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    adjustment_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<int>(type: "integer", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    evidence_references = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    state = table.Column<int>(type: "integer", nullable: false),
                    filed_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    filed_at = table.Column<long>(type: "bigint", nullable: false),
                    cutoff_at = table.Column<long>(type: "bigint", nullable: false),
                    resolved_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    resolved_at = table.Column<long>(type: "bigint", nullable: true),
                    resolution_text = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adjustment_disputes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    caller_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    method = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    request_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    details = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    trace_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    previous_hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    hash = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "caller_credentials",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    caller_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    revoked_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_caller_credentials", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "callers",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    display_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    scopes = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regencies = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    rate_limit_per_second = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_callers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employee_assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    effective_date = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    effective_period_key = table.Column<int>(type: "integer", nullable: false),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kelas_jabatan = table.Column<int>(type: "integer", nullable: false),
                    employment_type = table.Column<int>(type: "integer", nullable: false),
                    echelon = table.Column<int>(type: "integer", nullable: false),
                    tpp_ceiling_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    recorded_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employee_assignments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employee_status_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status = table.Column<int>(type: "integer", nullable: false),
                    effective_date = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    recorded_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employee_status_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employees",
                columns: table => new
                {
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kelas_jabatan = table.Column<int>(type: "integer", nullable: false),
                    employment_type = table.Column<int>(type: "integer", nullable: false),
                    echelon = table.Column<int>(type: "integer", nullable: false),
                    tpp_ceiling_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    status_effective_date = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employees", x => x.nip);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    caller_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    request_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    method = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    request_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    response = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => new { x.caller_id, x.request_id });
                });

            migrationBuilder.CreateTable(
                name: "kecamatan",
                columns: table => new
                {
                    code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_kecamatan", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    employee_nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    amount_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    receipt_kind = table.Column<int>(type: "integer", nullable: false),
                    receipt_reference = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    evidence_sha256 = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    recorded_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    recorded_at = table.Column<long>(type: "bigint", nullable: false),
                    reverses_entry_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    reason = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "merchant_status_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    effective_at = table.Column<long>(type: "bigint", nullable: false),
                    changed_by = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merchant_status_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "merchants",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    owner_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    owner_nik = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    nib = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    category = table.Column<int>(type: "integer", nullable: false),
                    scale = table.Column<int>(type: "integer", nullable: false),
                    kecamatan_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    address = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    latitude = table.Column<double>(type: "double precision", nullable: true),
                    longitude = table.Column<double>(type: "double precision", nullable: true),
                    qris_nmid = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    status = table.Column<int>(type: "integer", nullable: false),
                    status_reason = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merchants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "offices",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_offices", x => new { x.regency_code, x.code });
                });

            migrationBuilder.CreateTable(
                name: "payroll_adjustments",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    idempotency_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    policy_version = table.Column<int>(type: "integer", nullable: false),
                    required_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    counted_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    shortfall_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    sanction = table.Column<int>(type: "integer", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    tpp_ceiling_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    supersedes_key = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payroll_adjustments", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "period_results",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    policy_version = table.Column<int>(type: "integer", nullable: false),
                    required_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    counted_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    exemption_reason = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    compliant = table.Column<int>(type: "integer", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_period_results", x => new { x.regency_code, x.period_key, x.revision, x.nip });
                });

            migrationBuilder.CreateTable(
                name: "period_states",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    closed_at = table.Column<long>(type: "bigint", nullable: true),
                    closed_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    correction_reason = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    correction_opened_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    employees = table.Column<int>(type: "integer", nullable: false),
                    exempt = table.Column<int>(type: "integer", nullable: false),
                    no_tpp = table.Column<int>(type: "integer", nullable: false),
                    compliant = table.Column<int>(type: "integer", nullable: false),
                    non_compliant = table.Column<int>(type: "integer", nullable: false),
                    required_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    counted_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    shortfall_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    tpp_correction_rupiah = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_period_states", x => new { x.regency_code, x.period_key });
                });

            migrationBuilder.CreateTable(
                name: "quota_exemptions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    granted_at = table.Column<long>(type: "bigint", nullable: false),
                    granted_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    revoked_at = table.Column<long>(type: "bigint", nullable: true),
                    revoked_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    revoke_reason = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_exemptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quota_policies",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    version = table.Column<int>(type: "integer", nullable: false),
                    effective_period_key = table.Column<int>(type: "integer", nullable: false),
                    required_amount_form = table.Column<int>(type: "integer", nullable: false),
                    kelas_jabatan_amounts = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    echelon_amounts = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    tpp_basis_points = table.Column<int>(type: "integer", nullable: false),
                    tpp_floor_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    tpp_cap_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    counted_categories = table.Column<int[]>(type: "integer[]", nullable: false),
                    counted_scales = table.Column<int[]>(type: "integer[]", nullable: false),
                    merchant_cap_basis_points = table.Column<int>(type: "integer", nullable: false),
                    proration_enabled = table.Column<int>(type: "integer", nullable: false),
                    exempt_employment_types = table.Column<int[]>(type: "integer[]", nullable: false),
                    sanction_kind = table.Column<int>(type: "integer", nullable: false),
                    sanction_basis_points = table.Column<int>(type: "integer", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    replaced_by_version = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_policies", x => new { x.regency_code, x.version });
                });

            migrationBuilder.CreateTable(
                name: "receipt_claims",
                columns: table => new
                {
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    receipt_reference = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    entry_id = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_receipt_claims", x => new { x.merchant_id, x.receipt_reference });
                });

            migrationBuilder.CreateTable(
                name: "regencies",
                columns: table => new
                {
                    code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C")
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
                name: "ix_adjustment_disputes_adjustment_key",
                table: "adjustment_disputes",
                column: "adjustment_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_adjustment_disputes_regency_code_period_key_filed_at",
                table: "adjustment_disputes",
                columns: new[] { "regency_code", "period_key", "filed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_regency_code_sequence",
                table: "audit_events",
                columns: new[] { "regency_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_caller_credentials_caller_id",
                table: "caller_credentials",
                column: "caller_id");

            migrationBuilder.CreateIndex(
                name: "ix_employee_assignments_nip_effective_period_key_effective_date",
                table: "employee_assignments",
                columns: new[] { "nip", "effective_period_key", "effective_date" });

            migrationBuilder.CreateIndex(
                name: "ix_employee_assignments_office_code_nip",
                table: "employee_assignments",
                columns: new[] { "office_code", "nip" });

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
                name: "ix_ledger_entries_regency_code_period_key_employee_nip_merchan~",
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
                name: "adjustment_disputes");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "caller_credentials");

            migrationBuilder.DropTable(
                name: "callers");

            migrationBuilder.DropTable(
                name: "employee_assignments");

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
