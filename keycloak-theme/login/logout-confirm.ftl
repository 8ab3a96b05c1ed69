<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#-- "Do you want to sign out?" (portal logout without id_token_hint). Same form contract as base. -->
<@layout.registrationLayout; section>
    <#if section = "header">
        ${msg("logoutConfirmTitle")}
    <#elseif section = "form">
        <div id="kc-logout-confirm">
            <p class="instruction">${msg("logoutConfirmHeader")}</p>
            <form class="form-actions" action="${url.logoutConfirmAction}" method="POST">
                <input type="hidden" name="session_code" value="${logoutConfirm.code}">
                <div id="kc-form-buttons" class="ww-actions">
                    <@field.submit id="kc-logout" name="confirmLogout" label=msg("doLogout")/>
                </div>
            </form>
            <#if !logoutConfirm.skipLink && (client.baseUrl)?has_content>
                <p class="ww-back"><a id="ww-back-to-application" href="${client.baseUrl}">${msg("backToApplication")}</a></p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
